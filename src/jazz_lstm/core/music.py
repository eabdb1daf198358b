"""Plain musical data: Note, Chord, Solo.  No torch, no music21.

Times are in beats (quarter notes, music21's "quarterLength") from the start of the
tune; bar 0 starts at beat 0.  Pitches are MIDI numbers (60 = middle C); pitch
classes are 0..11 with 0 = C.  Every class checks its values on construction and
raises ValueError on bad data (pretty-midi style).
"""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field

GRID = 12  # grid steps per beat: keeps 16ths (3 steps) and 8th/16th triplets (4, 2 steps)


def to_steps(beats: float) -> int:
    """Beats -> whole grid steps (1/12 beat), rounded to the nearest step."""
    return int(round(beats * GRID))


@dataclass(frozen=True)
class Note:
    """One sounding note.

    pitch: MIDI pitch 0..127.  start: onset in beats.  duration: in beats, > 0.
    velocity: MIDI velocity 1..127.  tie: True when this note continues the previous
    one (same pitch) across a bar line, as the grammar's T terminal does.
    """

    pitch: int
    start: float
    duration: float
    velocity: int = 90
    tie: bool = False

    def __post_init__(self):
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"pitch {self.pitch} outside MIDI range 0..127")
        if self.start < 0:
            raise ValueError(f"note start {self.start} is negative")
        if not self.duration > 0:
            raise ValueError(f"note duration {self.duration} must be > 0 beats")
        if not 1 <= self.velocity <= 127:
            raise ValueError(f"velocity {self.velocity} outside 1..127")

    @property
    def end(self) -> float:
        """Release time in beats."""
        return self.start + self.duration


@dataclass(frozen=True)
class Chord:
    """A chord symbol sounding over a span of time.

    symbol: as a musician writes it ("Dm7", "Bbmaj7", "A7b9").  root: pitch class
    0..11.  pcs: the chord's pitch classes (root included).  scale: the pitch classes
    of the chord's scale, the one rule used both to analyse and to generate.
    start, duration: in beats.  quality: the canonical suffix ("m7", "7", "").
    """

    symbol: str
    root: int
    pcs: frozenset
    scale: frozenset
    start: float = 0.0
    duration: float = 4.0
    quality: str = ""
    bass: int | None = None  # a slash chord's bass pitch class (F/G: 7); None: the root

    def __post_init__(self):
        if not 0 <= self.root <= 11:
            raise ValueError(f"chord root {self.root} is not a pitch class 0..11")
        if not self.pcs or any(not 0 <= p <= 11 for p in self.pcs):
            raise ValueError(f"chord {self.symbol!r} needs pitch classes in 0..11")
        if self.root not in self.pcs:
            raise ValueError(f"chord {self.symbol!r}: root not among its pitch classes")
        if self.start < 0 or not self.duration > 0:
            raise ValueError(f"chord {self.symbol!r}: bad span start={self.start} dur={self.duration}")

    @property
    def end(self) -> float:
        """End of the chord's span in beats."""
        return self.start + self.duration

    def at(self, start: float, duration: float) -> Chord:
        """The same chord over another span."""
        return Chord(self.symbol, self.root, self.pcs, self.scale, start, duration, self.quality, self.bass)


@dataclass(frozen=True)
class Provenance:
    """Where a Solo came from, apart from its music.  source: the file it was read from (or
    "generated").  melody_track: the track taken as the melody ("5: Guitar").  ranking: the
    melody candidates considered, best first (melody.TrackScore).  chord_origin: "symbols",
    "inferred", "chart" or "melody".  tokens: the grammar values a generated solo was made of."""

    source: str = ""
    melody_track: str = ""
    ranking: tuple = ()
    chord_origin: str = ""
    tokens: tuple = ()


@dataclass
class Solo:
    """A melody over chord changes: a tune read from a file or a generated solo.

    notes: the melody, monophonic, sorted by start.  chords: the changes, sorted,
    non-overlapping.  The rest by keyword: beats_per_bar: bar length in beats (4/4 -> 4.0,
    6/8 -> 3.0).  time_signature: (numerator, denominator).  tempo: quarter notes per
    minute.  key: e.g. "G major" or None.  title: the tune's title where the file names it.
    sections: the beats where its form's sections start, where the file says.  provenance:
    where it came from (a separate record; `source`, `melody_track`, `ranking`, `chord_origin`
    and `tokens` read it).
    """

    notes: list
    chords: list
    _: KW_ONLY
    beats_per_bar: float = 4.0
    time_signature: tuple = (4, 4)
    tempo: float = 120.0
    key: str | None = None
    title: str = ""
    sections: tuple = ()  # beats where a section of the form starts (WJazzD's form labels, a chart's section
    # marks), ascending; () = none known (the form is then counted from beat 0 in bars of four)
    provenance: Provenance = field(default_factory=Provenance)

    source = property(lambda self: self.provenance.source, doc="The file it was read from.")
    melody_track = property(lambda self: self.provenance.melody_track, doc="The track taken as the melody.")
    ranking = property(lambda self: list(self.provenance.ranking), doc="The melody candidates, best first.")
    chord_origin = property(lambda self: self.provenance.chord_origin, doc="Where its chords came from.")
    tokens = property(lambda self: list(self.provenance.tokens), doc="The grammar values of a generated solo.")

    def __post_init__(self):
        if not self.beats_per_bar > 0:
            raise ValueError("beats_per_bar must be > 0")
        if not 10 <= self.tempo <= 400:
            raise ValueError(f"tempo {self.tempo} qpm outside 10..400")
        self.notes = sorted(self.notes, key=lambda n: (n.start, -n.pitch))
        self.chords = sorted(self.chords, key=lambda c: c.start)

    @property
    def length_beats(self) -> float:
        """End of the last note or chord, in beats."""
        return max(max((n.start + n.duration for n in self.notes), default=0.0),
                   max((c.start + c.duration for c in self.chords), default=0.0))

    @property
    def n_bars(self) -> int:
        """Number of (started) bars."""
        import math

        return max(1, math.ceil(self.length_beats / self.beats_per_bar - 1e-9))

    def excerpt(self, start: float, end: float) -> Solo:
        """The notes starting and chords sounding in [start, end) beats, moved to begin at 0
        and cut at `end`."""
        notes = [Note(n.pitch, n.start - start, min(n.duration, end - n.start), n.velocity, n.tie)
                 for n in self.notes if start <= n.start < end]
        chords = [c.at(max(c.start, start) - start, min(c.end, end) - max(c.start, start))
                  for c in self.chords if c.start < end and c.end > start]
        return Solo(notes, chords, beats_per_bar=self.beats_per_bar, time_signature=self.time_signature, tempo=self.tempo,
                    key=self.key, sections=tuple(b - start for b in self.sections if start <= b < end),
                    provenance=Provenance(source=self.source))

    def chord_at(self, beat: float) -> Chord | None:
        """The chord sounding at `beat`; before the first chord, the first one."""
        return chord_at(self.chords, beat)


def chord_finder(chords: list):
    """The one chord lookup: a function grid step -> the chord sounding there (the last one
    starting at or before it; before the first chord, the first), by bisection."""
    import bisect

    starts = [to_steps(c.start) for c in chords]

    def at(step: int) -> Chord:
        return chords[max(0, bisect.bisect_right(starts, step) - 1)]

    return at


def beat_finder(chords: list):
    """chord_finder by beats, for many look-ups over the same chords: a function beat -> the chord
    sounding there (None without chords)."""
    if not chords:
        return lambda beat: None
    at = chord_finder(chords)
    return lambda beat: at(to_steps(beat))


def chord_at(chords: list, beat: float) -> Chord | None:
    """The chord sounding at `beat` (see chord_finder); None without chords.  One look-up: for many over
    the same chords, beat_finder."""
    return beat_finder(chords)(beat)


def merge_ties(notes: list) -> list:
    """The notes as they sound: each tied continuation merged into the note it continues."""
    out: list = []
    for n in notes:
        if n.tie and out and out[-1].pitch == n.pitch and abs(out[-1].end - n.start) < 1e-9:
            p = out[-1]
            out[-1] = Note(p.pitch, p.start, p.duration + n.duration, p.velocity, p.tie)
        else:
            out.append(n)
    return out
