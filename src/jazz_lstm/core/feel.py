"""How a solo is played, not what: swing, accents, a drum part, the instrument.

The notes of a Solo are as written (on the grammar's grid); `perform` turns them into what a
MIDI file or the audio plays: the eighth-note off-beats swung by a ratio measured from the Weimar
Jazz Database's soloists at that tempo, velocities that accent (not one level for every note),
the melody moved by octaves into the instrument's range; `drum_part` adds a ride cymbal and a
hi-hat on 2 and 4.  Times in beats (quarter notes), velocities 1..127.

    feel = Feel()                                    # swing by tempo, accents, drums
    melody = perform(solo.notes, solo.tempo, feel)   # [(pitch, start, duration, velocity)]
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

import numpy as np

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.harmony import parse_chord, transpose_symbol
from jazz_lstm.core.music import Note, Solo

# The WJazzD soloists' swing ratio (long:short eighth) by tempo, median per solo over the solos at
# that tempo (scripts/measure_swing.py, 238 solos with 20+ eighth-note pairs; WJazzD, ODbL 1.0 /
# DbCL 1.0, Jazzomat Research Project): (quarter notes a minute, ratio), interpolated between.
SWING_BY_TEMPO = ((120.0, 1.48), (160.0, 1.63), (200.0, 1.61), (240.0, 1.42), (300.0, 1.22))

# name -> (General MIDI program, 0-based; lowest and highest sounding MIDI pitch a player uses)
INSTRUMENTS = {
    "tenor": (66, 44, 77),  # tenor sax: Ab2..F5
    "alto": (65, 49, 81),  # alto sax: Db3..A5
    "trumpet": (56, 52, 82),  # E3..Bb5
    "trombone": (57, 40, 72),  # E2..C5
    "guitar": (26, 40, 84),  # jazz electric guitar
    "vibes": (11, 53, 89),  # vibraphone: F3..F6
    "piano": (0, 36, 96),
}


@dataclass(frozen=True, kw_only=True)
class Feel:
    """How to play a solo.  swing: the eighth-note ratio, long to short (1.0 straight; None: the
    WJazzD soloists' ratio at the solo's tempo).  dynamics: accents and phrase shapes in the
    velocities (False: every note as the Solo says).  drums: a ride and hi-hat part.
    instrument: a name in INSTRUMENTS (its General MIDI program and range)."""

    swing: float | None = None
    dynamics: bool = True
    drums: bool = True
    instrument: str | None = None  # None: a tenor sax's sound, the line where the model put it

    def __post_init__(self):
        if self.swing is not None and not (isinstance(self.swing, (int, float)) and 1.0 <= self.swing <= 3.0):
            raise JazzError(f"the swing ratio must be in 1..3 (1 = straight eighths; got {self.swing!r})", field="swing")
        if self.instrument is not None and self.instrument not in INSTRUMENTS:
            raise JazzError(f"unknown instrument {str(self.instrument)[:30]!r} (choose from {', '.join(INSTRUMENTS)})",
                            field="instrument")

    @classmethod
    def straight(cls) -> Feel:
        """The notes exactly as written, no drums: how solos were played before feels existed."""
        return cls(swing=1.0, dynamics=False, drums=False)

    @property
    def program(self) -> int:
        """The melody's General MIDI program (0-based)."""
        return INSTRUMENTS[self.instrument or "tenor"][0]

    def ratio(self, tempo: float) -> float:
        """The swing ratio this feel plays at `tempo` (quarter notes a minute)."""
        return float(self.swing) if self.swing is not None else swing_ratio(tempo)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data) -> Feel:
        """The inverse of to_json; ValueError when it is not a feel."""
        if not isinstance(data, dict):
            raise ValueError("a feel must be a JSON object")
        try:
            return cls(swing=data.get("swing"), dynamics=bool(data.get("dynamics", True)), drums=bool(data.get("drums", True)),
                       instrument=data.get("instrument"))
        except JazzError as e:
            raise ValueError(e.message) from None


def parse_swing(text: str) -> float | None:
    """--swing: "auto" -> None (by tempo), "off" -> 1.0, else a ratio like 1.6 or 2:1."""
    t = (text or "auto").strip().lower()
    if t == "auto":
        return None
    if t in ("off", "straight", "none"):
        return 1.0
    try:
        a, _, b = t.partition(":")
        return float(a) / float(b or 1)
    except (ValueError, ZeroDivisionError):
        raise JazzError(f"--swing takes auto, off or a ratio like 1.6 or 2:1 (got {text!r})", field="swing") from None


def swing_ratio(tempo: float) -> float:
    """The soloists' median swing ratio at `tempo` (SWING_BY_TEMPO, linear between its points,
    flat beyond them)."""
    pts = SWING_BY_TEMPO
    if tempo <= pts[0][0]:
        return pts[0][1]
    for (t0, r0), (t1, r1) in zip(pts, pts[1:]):
        if tempo <= t1:
            return r0 + (r1 - r0) * (tempo - t0) / (t1 - t0)
    return pts[-1][1]


def offbeat(t):
    """Whether a written time (beats; a number, or an array of them) is an eighth-note off-beat: half
    a beat after a beat."""
    t = np.asarray(t, dtype=np.float64)
    out = np.abs(t - np.floor(t + 1e-9) - 0.5) < 1e-6
    return bool(out) if out.ndim == 0 else out


def swung(t, ratio: float):
    """A written time (beats; a number, or an array of them) as played: an eighth-note off-beat moves
    to ratio / (1 + ratio) of its beat; every other time (beats, triplets, sixteenths) stays."""
    t = np.asarray(t, dtype=np.float64)
    out = np.where(offbeat(t), np.floor(t) + ratio / (1.0 + ratio), t)
    return float(out) if out.ndim == 0 else out


def _played(pitch, start, duration, velocity, ratio: float) -> list[tuple[int, float, float, int]]:
    """(pitch, start, duration, velocity) tuples of notes as played: starts and ends swung (arrays in)."""
    on, off = swung(start, ratio), swung(np.asarray(start, np.float64) + duration, ratio)
    return list(zip(pitch, on.tolist(), np.maximum(1e-3, off - on).tolist(), velocity))


def swing_part(notes: list[tuple], tempo: float, feel: Feel) -> list[tuple[int, float, float, int]]:
    """An accompaniment part's (pitch, start, duration, velocity) with the feel's swing."""
    if not notes:
        return []
    p, s, d, v = zip(*notes)
    return _played(p, s, d, v, feel.ratio(tempo))


def perform(notes: list[Note], tempo: float, feel: Feel) -> list[tuple[int, float, float, int]]:
    """The melody as played: (pitch, start, duration, velocity), swung, accented and in the
    instrument's range (moved by whole octaves, so the line is the same)."""
    if not notes:
        return []
    shift = octave_shift([n.pitch for n in notes], feel.instrument) if feel.instrument else 0
    vel = accents(notes) if feel.dynamics else [n.velocity for n in notes]
    return _played([n.pitch + shift for n in notes], [n.start for n in notes], [n.duration for n in notes], vel,
                   feel.ratio(tempo))


def octave_shift(pitches: list[int], instrument: str) -> int:
    """Semitones (a multiple of 12) that put most of the line inside the instrument's range."""
    _, low, high = INSTRUMENTS[instrument]
    if not pitches:
        return 0
    return min(range(-36, 37, 12), key=lambda s: (sum(not low <= p + s <= high for p in pitches), abs(s)))


def accents(notes: list[Note]) -> list[int]:
    """Velocities a player gives a line: a phrase's first note and its high points (a note above
    both neighbours) accented, off-beat eighths a little over the beats (the jazz accent), short
    notes between higher neighbours ghosted, the line's contour followed; 40..120."""
    if not notes:
        return []
    p = np.array([n.pitch for n in notes], dtype=np.float64)
    s = np.array([n.start for n in notes], dtype=np.float64)
    d = np.array([n.duration for n in notes], dtype=np.float64)
    inner = np.zeros(len(p), dtype=bool)
    inner[1:-1] = True  # a note with both neighbours
    prev, nxt = np.roll(p, 1), np.roll(p, -1)
    v = 78 + (p - 60) * 0.6  # higher notes a little louder
    v = v + 8.0 * np.append(True, s[1:] - (s[:-1] + d[:-1]) > 0.26)  # a phrase starts after a breath
    v = v + 12.0 * (inner & (p > prev) & (p > nxt))  # the top of a figure
    v = v + 6.0 * offbeat(s)
    v = v - 22.0 * (inner & (d <= 0.34) & (p < prev) & (p < nxt))  # a ghosted note inside a run
    return np.clip(np.round(v), 40, 120).astype(int).tolist()


# a transposing instrument's part sounds lower than written: write it this many semitones up
TRANSPOSE_FOR = {"C": 0, "Bb": 2, "Eb": 9, "tenor": 14, "bari": 21}  # Bb trumpet/clarinet, Eb alto, Bb tenor, Eb baritone


def written_for(solo: Solo, part: str) -> Solo:
    """The solo as a `part` player reads it (TRANSPOSE_FOR: "Bb", "Eb", "tenor", ...): notes and chord
    symbols moved up by the instrument's interval, the key signature with them."""
    if part not in TRANSPOSE_FOR:
        raise JazzError(f"unknown part {str(part)[:20]!r} (choose from {', '.join(TRANSPOSE_FOR)})", field="transpose_for")
    k = TRANSPOSE_FOR[part]
    if not k:
        return solo
    notes = [replace(n, pitch=min(127, n.pitch + k)) for n in solo.notes]
    chords = [parse_chord(transpose_symbol(c.symbol, k), c.start, c.duration) for c in solo.chords]
    return replace(solo, notes=notes, chords=chords, key=_transposed_key(solo.key, k))


def _transposed_key(key: str | None, k: int) -> str | None:
    """"Eb major" moved up k semitones ("C major" for k = 9); None (the chords then decide the key
    signature) when there is no key or it names no tonic."""
    tonic, _, mode = (key or "").partition(" ")
    return f"{transpose_symbol(tonic, k)} {mode or 'major'}" if re.fullmatch(r"[A-G][b#]?", tonic) else None


RIDE, HIHAT_PEDAL, KICK = 51, 44, 36  # General MIDI percussion keys


def drum_part(n_bars: int, beats_per_bar: float, tempo: float, feel: Feel) -> list[tuple[int, float, float, int]]:
    """A swing time-keeping part: the ride on every beat and on the swung off-beat after each even
    beat (spang-a-lang), the hi-hat pedal on the even beats (2 and 4), a feathered bass drum.
    (Made once for a batch of solos of the same length, metre and tempo.)"""
    return list(_drum_part(n_bars, float(beats_per_bar), float(tempo), feel)) if feel.drums else []


@lru_cache(maxsize=16)
def _drum_part(n_bars: int, beats_per_bar: float, tempo: float, feel: Feel) -> tuple:
    r, out = feel.ratio(tempo), []
    late = swung(0.5, r)  # where an off-beat eighth is played, after its beat
    beats = int(round(n_bars * beats_per_bar))
    for b in range(beats):
        in_bar = b % max(1, int(round(beats_per_bar)))
        even = in_bar % 2 == 1  # beats 2, 4, ... of the bar (0-based odd)
        out.append((RIDE, float(b), 0.5, 84 if even else 72))
        out.append((KICK, float(b), 0.25, 28))
        if even:
            out.append((HIHAT_PEDAL, float(b), 0.25, 76))
            if b + 1 < beats:
                out.append((RIDE, b + late, 0.25, 62))
    return tuple(out)
