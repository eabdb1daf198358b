"""Hear it and see it: one Solo -> MIDI, WAV, piano-roll PNG, MusicXML lead sheet,
score SVG and PNG, and an Impro-Visor leadsheet (.ls).  A renderer whose library is missing is skipped with a warning;
bad input (no notes, unreadable soundfont, unwritable folder) raises JazzError.

    rendered = render(solo, "out/solo", title="...")   # {"mid": "out/solo.mid", "wav": ...}
"""
from __future__ import annotations

import os
import pickle
import threading
from dataclasses import dataclass, field

from jazz_lstm.core.arrangement import accompaniment
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.feel import Feel, drum_part, perform, swing_part, written_for
from jazz_lstm.core.fileio import write_atomic
from jazz_lstm.core.music import Solo, merge_ties
from jazz_lstm.io.leadsheet import leadsheet_text
from jazz_lstm.io.midi import midi_bytes
from jazz_lstm.render.pianoroll import BARS_PER_PAGE, piano_roll_pages
from jazz_lstm.render.score import key_fifths, musicxml_bytes, png_pages, svg_pages
from jazz_lstm.render.synth import (
    RATE,
    find_soundfont,
    fluidsynth_available,
    render_fluidsynth,
    render_numpy,
    wav_bytes,
)

FORMATS = ("mid", "wav", "png", "musicxml", "svg", "score.png", "ls")
MAX_AUDIO_MINUTES = float(os.environ.get("JAZZ_LSTM_MAX_AUDIO_MINUTES", "10"))  # longer solos get no WAV (memory)
MAX_PICTURE_BARS = int(os.environ.get("JAZZ_LSTM_MAX_PICTURE_BARS", "256"))  # pictures and lead sheet: at most this long
PICTURES = ("png", "musicxml", "svg", "score.png")  # cut to MAX_PICTURE_BARS (the MIDI and the .ls hold everything)


@dataclass
class Rendered:
    """What `render` wrote: paths by format, warnings for what was skipped, and the synth used."""

    files: dict = field(default_factory=dict)  # format -> path (of the first page, for paged formats)
    pages: dict = field(default_factory=dict)  # format -> every page's path (png, svg, score.png)
    warnings: list = field(default_factory=list)
    synth: str = ""
    solo: Solo | None = None

    def _repr_html_(self) -> str:  # a notebook shows the score and an audio player inline
        import base64

        parts = []
        if "svg" in self.files:
            with open(self.files["svg"], encoding="utf-8") as f:
                parts.append(f'<div style="max-width:100%;overflow:auto">{f.read()}</div>')
        elif "png" in self.files:
            with open(self.files["png"], "rb") as f:
                parts.append(f'<img src="data:image/png;base64,{base64.b64encode(f.read()).decode()}" style="max-width:100%">')
        if "wav" in self.files:
            with open(self.files["wav"], "rb") as f:
                parts.append(f'<audio controls src="data:audio/wav;base64,{base64.b64encode(f.read()).decode()}"></audio>')
        return "\n".join(parts) or "<i>nothing rendered</i>"


def audio(solo: Solo, soundfont: str | None = None, accompany: bool = True, feel: Feel | None = None) -> tuple[bytes, str]:
    """(WAV bytes, which synth) for the solo, played with `feel` (None: as written):
    FluidSynth when it and a soundfont are installed (or `soundfont` is given), else the numpy
    synth.  Trimmed to the solo's length plus a short fade."""
    import numpy as np

    sf = find_soundfont(soundfont)
    if sf and fluidsynth_available():
        samples = render_fluidsynth(midi_bytes(solo, accompany, feel=feel), sf)
        synth = f"fluidsynth ({os.path.basename(sf)})"
    else:
        feel = feel or Feel.straight()
        tracks = [("lead", perform(merge_ties(solo.notes), solo.tempo, feel))]
        if accompany and solo.chords:
            comp, bass = accompaniment(solo.chords, solo.beats_per_bar)
            tracks += [("keys", swing_part(comp, solo.tempo, feel)), ("bass", swing_part(bass, solo.tempo, feel)),
                       ("drums", drum_part(solo.n_bars, solo.beats_per_bar, solo.tempo, feel))]
        samples, synth = render_numpy(tracks, solo.tempo), "numpy synth (FluidSynth not found)"
    n = int((solo.length_beats * 60.0 / solo.tempo + 0.3) * RATE)
    samples = samples[:n].copy()
    fade = min(len(samples), int(0.25 * RATE))
    if fade:
        samples[-fade:] *= np.linspace(1.0, 0.0, fade)[:, None]
    return wav_bytes(samples), synth


def page_path(stem: str, fmt: str, k: int) -> str:
    """STEM.fmt for the first page, STEM-pK.fmt for page K > 1."""
    return f"{stem}.{fmt}" if k == 1 else f"{stem}-p{k}.{fmt}"


def render(solo: Solo, stem: str, formats=FORMATS, title: str = "", soundfont: str | None = None,
           accompany: bool = True, midi: bytes | None = None, on_stage=None, feel: Feel | None = None,
           transpose_for: str = "C") -> Rendered:
    """Write the chosen formats next to each other as STEM.mid, STEM.wav, STEM.png
    (piano roll), STEM.musicxml, STEM.svg and STEM.score.png; pictures of long solos come
    in pages (STEM-p2.png, STEM-p2.svg, ...).  feel (core.feel.Feel): how the MIDI and the audio
    play it (None: as written); the pictures and the score show it as written -- in concert pitch, or
    for a transposing instrument (transpose_for: "Bb", "Eb", "tenor", ...; core.feel.TRANSPOSE_FOR).
    on_stage(name) is told each stage as it starts."""
    stage = on_stage or (lambda name: None)
    if not solo.notes:
        raise JazzError("no notes to render", solo.source or stem)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise JazzError(f"unknown format(s) {', '.join(sorted(unknown))} (choose from {', '.join(FORMATS)})")
    out = Rendered(solo=solo)

    def put(fmt: str, data) -> None:
        pages = data if isinstance(data, list) else [data]
        out.pages[fmt] = [write_atomic(page_path(stem, fmt, k), page) for k, page in enumerate(pages, 1)]
        out.files[fmt] = out.pages[fmt][0]

    if "mid" in formats:
        stage("MIDI")
        put("mid", midi if midi is not None else midi_bytes(solo, accompany, feel=feel))
    plan = plan_render(solo, formats)
    formats, full = plan.formats, solo
    out.warnings += plan.warnings
    if plan.picture_bars < solo.n_bars:
        solo = solo.excerpt(0.0, plan.picture_bars * solo.beats_per_bar)
    if "ls" in formats:
        stage("Impro-Visor leadsheet")
        put("ls", _leadsheet(full, title))
    if "wav" in formats:
        find_soundfont(soundfont)  # a bad --soundfont fails before any work starts
    wav = Background(audio, full, soundfont, accompany, feel) if "wav" in formats else None  # on the other core
    pending: list = []
    if {"musicxml", "svg", "score.png"} & set(formats):
        stage("lead sheet and score")
        part = written_for(solo, transpose_for)
        _optional(out, "sheet music", lambda: _score(part, title, formats, put, pending))
    if "png" in formats:
        stage("piano roll")
        _optional(out, "piano roll", lambda: put("png", _piano_roll(solo, title, accompany)))
    for fmt, job in pending:
        stage("score pictures")
        _optional(out, "sheet music", lambda fmt=fmt, job=job: put(fmt, job.result()))
    if wav is not None:
        stage("audio")
        data, out.synth = wav.result()
        put("wav", data)
    return out


@dataclass
class RenderPlan:
    """What `render` will make of a solo: the formats kept (a WAV past MAX_AUDIO_MINUTES is
    not), the bars the pictures and the lead sheet show (at most MAX_PICTURE_BARS), minutes
    of audio, the WAV's size in bytes (0: none), the picture pages, and what was cut, in words."""

    formats: tuple
    picture_bars: int
    minutes: float
    wav_bytes: int
    pages: int
    warnings: list


def plan_render(solo: Solo, formats) -> RenderPlan:
    """The plan for `solo` in `formats` (announced by the CLI before the work, applied by render)."""
    minutes, notes = solo.length_beats / solo.tempo, []
    if "wav" in formats and minutes > MAX_AUDIO_MINUTES:  # synthesis holds the whole take in memory (~90 MB a minute)
        formats = tuple(f for f in formats if f != "wav")
        notes.append(f"no audio: {minutes:.0f} min is more than {MAX_AUDIO_MINUTES:g} min (JAZZ_LSTM_MAX_AUDIO_MINUTES); "
                     "the MIDI holds the whole solo")
    bars = solo.n_bars
    if bars > MAX_PICTURE_BARS and set(formats) & set(PICTURES):
        notes.append(f"the pictures and the lead sheet show the first {MAX_PICTURE_BARS} of {bars} bars "
                     "(JAZZ_LSTM_MAX_PICTURE_BARS); the MIDI holds the whole solo")
        bars = MAX_PICTURE_BARS
    wav = int(minutes * 60 * 44100 * 4) if "wav" in formats else 0
    return RenderPlan(tuple(formats), bars, minutes, wav, -(-bars // BARS_PER_PAGE), notes)


class Background:
    """fn(*args) in a forked child process, so that audio and the score's PNG are made
    on the second core while this one draws.  Where fork is missing, or other threads
    run (the web studio), it runs right here instead."""

    def __init__(self, fn, *args):
        self.pid, self.value = None, None
        if not hasattr(os, "fork") or threading.active_count() > 1:
            self.value = _call(fn, args)
            return
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
            os.close(r)
            try:
                with os.fdopen(w, "wb") as f:
                    f.write(pickle.dumps(_call(fn, args)))
            finally:
                os._exit(0)
        os.close(w)
        self.pid, self.fd = pid, r

    def result(self):
        if self.pid is not None:
            with os.fdopen(self.fd, "rb") as f:
                data = f.read()
            os.waitpid(self.pid, 0)
            self.pid, self.value = None, pickle.loads(data) if data else ("err", "the worker process died", None)
        status, value, source = self.value
        if status == "ok":
            return value
        if status == "import":
            raise ImportError(value, name=value)
        raise JazzError(value, source) if status == "jazz" else RuntimeError(value)


def _call(fn, args) -> tuple:
    try:
        return ("ok", fn(*args), None)
    except JazzError as e:
        return ("jazz", e.message, e.source)
    except ImportError as e:
        return ("import", e.name or str(e), None)
    except Exception as e:
        return ("err", f"{type(e).__name__}: {e}", None)


def _leadsheet(solo, title):
    return leadsheet_text(solo, title, key_fifths(solo))


def _piano_roll(solo, title, accompany):
    return piano_roll_pages(solo, title, accompany)


def _score(solo, title, formats, put, pending: list) -> None:
    xml = musicxml_bytes(solo, title)
    if "musicxml" in formats:
        put("musicxml", xml)
    if {"svg", "score.png"} & set(formats):
        svgs = svg_pages(xml)
        if "svg" in formats:
            put("svg", svgs)
        if "score.png" in formats:
            pending.append(("score.png", Background(png_pages, svgs)))  # rasterized on the other core


def _optional(out: Rendered, what: str, fn) -> None:
    """Run a renderer whose library may be missing: skip it with a warning if so."""
    try:
        fn()
    except ImportError as e:
        out.warnings.append(f"skipped the {what}: {e.name or e} is not installed")


def show(solo: Solo, folder: str | None = None, title: str = "") -> Rendered:
    """Render the audio and the score of `solo` for a notebook: the returned object
    displays the sheet music and an audio player inline."""
    import tempfile

    folder = folder or tempfile.mkdtemp(prefix="jazz-lstm-")
    return render(solo, os.path.join(folder, "solo"), ("wav", "svg", "png"), title=title)
