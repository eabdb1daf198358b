"""Audio: FluidSynth with a General MIDI soundfont, or a small numpy synth when
FluidSynth is missing (it still sounds like instruments: a reedy lead with vibrato,
a decaying electric piano, a plucked bass).  Output: 16-bit mono/stereo WAV,
peak-normalized to -1 dBFS (no clipping)."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import wave

import numpy as np

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import check_input

SOUNDFONTS = ["/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2",
              "/usr/share/sounds/sf2/default-GM.sf2", "/usr/share/soundfonts/default.sf2"]
RATE = 44100
PEAK = 10 ** (-1 / 20)  # -1 dBFS


def find_soundfont(path: str | None = None) -> str | None:
    """The soundfont to use: `path` (checked), else the first General MIDI one installed."""
    if path:
        check_input(path, "soundfont")
        try:
            with open(path, "rb") as f:
                head = f.read(12)
        except OSError as e:
            raise JazzError(f"cannot read this soundfont ({e.strerror or e})", path) from None
        if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
            raise JazzError("not a SoundFont (.sf2) file", path)
        return path
    return next((p for p in SOUNDFONTS if os.path.isfile(p)), None)


def fluidsynth_available() -> bool:
    return shutil.which("fluidsynth") is not None


def render_fluidsynth(midi: bytes, soundfont: str) -> np.ndarray:
    """MIDI bytes -> float32 samples (n, 2) at RATE through the fluidsynth command."""
    with tempfile.TemporaryDirectory() as d:
        mid, wav = os.path.join(d, "in.mid"), os.path.join(d, "out.wav")
        with open(mid, "wb") as f:
            f.write(midi)
        r = subprocess.run(["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(RATE), "-F", wav, soundfont, mid],
                           capture_output=True, text=True, timeout=300)
        if r.returncode or not os.path.exists(wav):
            raise JazzError(f"fluidsynth failed: {(r.stderr or r.stdout).strip().splitlines()[-1:] or 'no output'}", soundfont)
        with wave.open(wav) as w:
            ch, n = w.getnchannels(), w.getnframes()
            data = np.frombuffer(w.readframes(n), dtype=np.int16).astype(np.float32) / 32768.0
    return data.reshape(-1, ch)


def _envelope(n: int, attack: float, decay: float, sustain: float, release: float) -> np.ndarray:
    t = np.arange(n) / RATE
    env = np.minimum(1.0, t / max(attack, 1e-4))
    env *= sustain + (1 - sustain) * np.exp(-t / max(decay, 1e-4))
    rel = int(release * RATE)
    if rel and n > rel:
        env[-rel:] *= np.linspace(1, 0, rel)
    return env


def _drum(key: int, velocity: int) -> np.ndarray:
    """A percussion hit: seeded noise (the same every time) shaped by a short envelope."""
    amp = (velocity / 127) ** 1.5
    if key == 36:  # bass drum: a low, quickly falling sine
        t = np.arange(int(0.18 * RATE)) / RATE
        return 0.5 * amp * np.sin(2 * np.pi * (55 + 40 * np.exp(-t * 30)) * t) * np.exp(-t * 18)
    seconds = 0.06 if key == 44 else 0.45
    t = np.arange(int(seconds * RATE)) / RATE
    noise = np.random.default_rng(key).standard_normal(t.size)
    bright = np.diff(noise, prepend=0.0)  # high-passed: a cymbal's hiss, not a rumble
    return (0.05 if key == 44 else 0.06) * amp * bright * np.exp(-t * (60 if key == 44 else 7))


def _voice(voice: str, pitch: int, seconds: float, velocity: int) -> np.ndarray:
    """One note of a simple instrument: 'lead' (reedy, vibrato), 'keys' (decaying
    bell-like), 'bass' (plucked: bright attack, fast-fading upper harmonics), 'drums' (the
    General MIDI key: 36 a soft thump, 44 a closed hi-hat, anything else a ride cymbal)."""
    if voice == "drums":
        return _drum(pitch, velocity)
    n = max(1, int(seconds * RATE))
    t = np.arange(n) / RATE
    f0 = 440.0 * 2 ** ((pitch - 69) / 12)
    amp = (velocity / 127) ** 1.5
    if voice == "lead":
        phase = 2 * np.pi * f0 * t + 0.004 * f0 * np.sin(2 * np.pi * 5.5 * t) * np.minimum(1, t / 0.3) / 5.5
        wave_ = sum((0.9 ** k) * np.sin(k * phase) / k ** 0.7 for k in range(1, 8) if f0 * k < RATE / 2)
        return 0.32 * amp * wave_ * _envelope(n, 0.03, 0.25, 0.75, 0.04)
    if voice == "keys":
        wave_ = sum(np.sin(2 * np.pi * f0 * k * t) * np.exp(-t * (1.5 + 1.2 * k)) / k ** 1.2 for k in (1, 2, 3, 4, 6))
        return 0.18 * amp * wave_ * _envelope(n, 0.005, 0.8, 0.25, 0.05)
    wave_ = sum(np.sin(2 * np.pi * f0 * k * t) * np.exp(-t * (2.0 + 6.0 * k)) / k for k in range(1, 7))
    return 0.6 * amp * wave_ * _envelope(n, 0.004, 0.6, 0.3, 0.03)


def render_numpy(tracks: list[tuple[str, list]], tempo: float) -> np.ndarray:
    """tracks: [(voice, [(pitch, start_beats, dur_beats, velocity), ...])] -> float32 (n, 1)."""
    spb = 60.0 / tempo
    end = max((s + d for _, notes in tracks for _, s, d, _ in notes), default=0.0)
    out = np.zeros(int((end * spb + 1.0) * RATE) + 1, dtype=np.float64)
    for voice, notes in tracks:
        for pitch, start, dur, vel in notes:
            tail = 0.05 if voice == "lead" else 0.25
            v = _voice(voice, pitch, dur * spb + tail, vel)
            i = int(start * spb * RATE)
            out[i:i + v.size] += v[: out.size - i]
    return out.astype(np.float32)[:, None]


def wav_bytes(samples: np.ndarray) -> bytes:
    """float samples (n, channels) -> 16-bit WAV bytes, peak-normalized to -1 dBFS."""
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak > 0:
        samples = samples * (PEAK / peak)
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
