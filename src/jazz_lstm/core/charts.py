"""Chord charts as text: "Dm7 G7 | Cmaj7 % | A7b9 |".

One bar per `|`; the symbols in a bar share it equally; `/` (or `%` after a
chord) holds the previous chord for one more slot; a bar holding only `%`
repeats the previous bar.  A word starting with `#` begins a comment.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from math import gcd

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import write_atomic
from jazz_lstm.core.harmony import parse_chord
from jazz_lstm.core.music import Chord, to_steps

MAX_CHART_BARS = 10_000  # the longest chart (and solo) the tool takes
_COMMENT = re.compile(r"(^|\s)#.*$")  # '#' opening a word starts a comment ('F#m7' is a chord)
BLUES_12 = "F7 | Bb7 | F7 | Cm7 F7 | Bb7 | Bdim7 | F7 | D7 | Gm7 | C7 | F7 D7 | Gm7 C7 |"
_A = "Bbmaj7 G7 | Cm7 F7 | Bbmaj7 G7 | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Ebm7 | Dm7 G7 | Cm7 F7 |"
_KEYS = ["C", "F", "Bb", "Eb", "Ab", "Db", "Gb", "B", "E", "A", "D", "G"]
_II_V = {"C": ("Dm7", "G7"), "F": ("Gm7", "C7"), "Bb": ("Cm7", "F7"), "Eb": ("Fm7", "Bb7"), "Ab": ("Bbm7", "Eb7"),
         "Db": ("Ebm7", "Ab7"), "Gb": ("Abm7", "Db7"), "B": ("C#m7", "F#7"), "E": ("F#m7", "B7"), "A": ("Bm7", "E7"),
         "D": ("Em7", "A7"), "G": ("Am7", "D7")}
PROGRESSIONS = {  # built-in changes for the studio and for --chords
    "12-bar jazz blues in F": BLUES_12,
    "rhythm changes in Bb": _A + " " + _A.replace("Fm7 Bb7 | Ebmaj7 Ebm7 | Dm7 G7 | Cm7 F7 |", "Fm7 Bb7 | Ebmaj7 Ebm7 | Cm7 F7 | Bbmaj7 |")
    + " D7 | % | G7 | % | C7 | % | F7 | % | " + _A.replace("Fm7 Bb7 | Ebmaj7 Ebm7 | Dm7 G7 | Cm7 F7 |", "Fm7 Bb7 | Ebmaj7 Ebm7 | Cm7 F7 | Bbmaj7 |"),
    "ii-V-I through all keys": " ".join(f"{_II_V[k][0]} | {_II_V[k][1]} | {k}maj7 | % |" for k in _KEYS),
    "minor ii-V chain": "Em7b5 A7b9 | Dm7b5 G7b9 | Cm7b5 F7b9 | Bbm7b5 Eb7b9 | Abm7b5 Db7b9 | Gbm7 | Ebm7b5 Ab7b9 | Dbm6 |",
}


@dataclass(frozen=True)
class Chart:
    """Chord changes with what a player needs around them: the one form a chart takes
    between stages (the model file, the manifest, `generate`, the studio).

    chords: the changes, Chord spans in beats from bar 0.  beats_per_bar: bar length in
    quarter notes (4/4 -> 4.0, 6/8 -> 3.0).  tempo: quarter notes per minute.  key: e.g.
    "F" or "G major" (None: unknown).  low, high: the melody's register as MIDI pitches
    (a model's chart: its soloists' range).  title: where the changes came from.  timed:
    the tempo was written in the chart (a solo over it plays at it unless told otherwise).
    sections: beats where a section of its form starts (a tune's form labels; () = none known).
    """

    chords: tuple = ()
    beats_per_bar: float = 4.0
    tempo: float = 120.0
    key: str | None = None
    low: int = 52
    high: int = 84
    title: str = ""
    timed: bool = False  # the tempo is the chart's own (a leadsheet's, a tune's, an iReal Pro BPM), not the default
    sections: tuple = ()  # beats where a section of the form starts, ascending (() = none known)

    def __post_init__(self):
        object.__setattr__(self, "chords", tuple(sorted(self.chords, key=lambda c: c.start)))
        if not (isinstance(self.beats_per_bar, (int, float)) and 0.5 <= self.beats_per_bar <= 64):
            raise ValueError(f"beats per bar must be in 0.5..64 (got {self.beats_per_bar!r})")
        if not (isinstance(self.tempo, (int, float)) and 10 <= self.tempo <= 400):
            raise ValueError(f"tempo must be in 10..400 quarter notes per minute (got {self.tempo!r})")
        if not (isinstance(self.low, int) and isinstance(self.high, int) and 0 <= self.low < self.high <= 127):
            raise ValueError(f"register must be MIDI pitches with low < high (got {self.low!r}..{self.high!r})")
        if any(not isinstance(c, Chord) for c in self.chords):
            raise ValueError("a chart's chords must be Chord records")
        if any(isinstance(b, bool) or not isinstance(b, (int, float)) or not 0 <= b < 1e6 for b in self.sections):
            raise ValueError("a chart's sections must be beats >= 0")
        object.__setattr__(self, "sections", tuple(sorted({float(b) for b in self.sections})))
        if self.n_bars > MAX_CHART_BARS:
            raise ValueError(f"the chart has {self.n_bars} bars: at most {MAX_CHART_BARS}")

    @property
    def n_bars(self) -> int:
        """Bars from bar 0 to the end of the last chord (0 for an empty chart)."""
        end = max((c.end for c in self.chords), default=0.0)
        return math.ceil(end / self.beats_per_bar - 1e-9) if self.chords else 0

    def text(self) -> str:
        """The changes as chart text (`parse_chart` reads it back)."""
        return _chart_text(self.chords, self.beats_per_bar)

    def to_json(self) -> dict:
        """A JSON object: chords as [symbol, start, duration] in beats, the rest as named."""
        return {"chords": [[c.symbol, c.start, c.duration] for c in self.chords], "beats_per_bar": self.beats_per_bar,
                "tempo": self.tempo, "key": self.key, "low": self.low, "high": self.high, "title": self.title,
                "timed": self.timed, **({"sections": list(self.sections)} if self.sections else {})}

    @classmethod
    def from_json(cls, data) -> Chart:
        """The inverse of to_json; ValueError for anything that is not a valid chart (the
        fields of older files that are absent take their defaults)."""
        if not isinstance(data, dict) or not isinstance(data.get("chords", []), list):
            raise ValueError("a chart must be a JSON object with a list of chords")
        chords = []
        for item in data.get("chords", []):
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
                    and all(isinstance(v, (int, float)) and math.isfinite(v) for v in item[1:])):
                raise ValueError(f"a chart chord must be [symbol, start, duration] (got {str(item)[:60]})")
            try:
                chords.append(parse_chord(item[0], float(item[1]), float(item[2])))
            except JazzError as e:
                raise ValueError(e.message) from None
        d = cls()
        key = data.get("key")
        sections = data.get("sections", [])
        if not isinstance(sections, list):  # (each beat is checked by __post_init__)
            raise ValueError("chart sections must be a list of beats")
        return cls(tuple(chords), _number(data, "beats_per_bar", d.beats_per_bar), _number(data, "tempo", d.tempo),
                   key if isinstance(key, str) else None, int(_number(data, "low", d.low)), int(_number(data, "high", d.high)),
                   str(data.get("title") or ""), data.get("timed") is True, tuple(sections))


def _number(data: dict, key: str, default: float) -> float:
    v = data.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError(f"chart {key} must be a number (got {str(v)[:40]!r})")
    return float(v)


def parse_chart(text: str, beats_per_bar: float = 4.0, source: str | None = None) -> list[Chord]:
    """Parse a chart into Chords with absolute starts in beats (bar 0 at beat 0)."""
    lines = [_COMMENT.sub("", ln) for ln in text.splitlines()]
    body = " ".join(lines).strip().strip("|")
    bars = [b.split() for b in body.split("|")]
    bars = [b for b in bars if b] if body else []
    if not bars:
        raise JazzError("the chord chart is empty", source)
    if len(bars) > MAX_CHART_BARS:
        raise JazzError(f"the chart has {len(bars)} bars: at most {MAX_CHART_BARS}", source)
    chords: list[Chord] = []
    prev_bar: list = []
    for i, slots in enumerate(bars):
        if slots == ["%"]:
            if not prev_bar:
                raise JazzError("chart starts with '%' (nothing to repeat)", source)
            slots = prev_bar
        bar_start = i * beats_per_bar
        slot = beats_per_bar / len(slots)
        for j, sym in enumerate(slots):
            if sym in ("/", "%", "-"):
                if not chords:
                    raise JazzError(f"chart bar {i + 1} starts with {sym!r} before any chord", source)
                last = chords[-1]
                chords[-1] = last.at(last.start, last.duration + slot)
                continue
            try:
                chords.append(parse_chord(sym, bar_start + j * slot, slot))
            except JazzError as e:
                raise JazzError(f"bar {i + 1}: {e.message}", source) from None
        prev_bar = slots
    return chords


def read_chart(path: str, beats_per_bar: float = 4.0) -> list[Chord]:
    """Read a chart file written by `write_chart` (or by hand)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise JazzError(f"cannot read chart: {e.strerror if isinstance(e, OSError) else 'not text'}", path) from None
    return parse_chart(text, beats_per_bar, source=path)


def write_chart(path: str, chords: list[Chord], beats_per_bar: float = 4.0, comment: str = "") -> str:
    """Write chart text that `read_chart` reads back (atomically); returns the path."""
    return write_atomic(path, (f"# {comment}\n" if comment else "") + format_chart(chords, beats_per_bar))


def chart_bars(chords: list[Chord], beats_per_bar: float = 4.0, n_bars: int | None = None) -> list[str]:
    """One string per bar, e.g. ["Dm7 G7", "Cmaj7", "Dm7 / / G7"]."""
    bar = to_steps(beats_per_bar)
    end = max((to_steps(c.end) for c in chords), default=0)
    n_bars = n_bars or max(1, -(-end // bar))
    spans = sorted(((to_steps(c.start), to_steps(c.end), c) for c in chords), key=lambda s: s[:2])  # no overlaps: one pass
    first, out = 0, []
    for b in range(n_bars):
        lo, hi = b * bar, (b + 1) * bar
        while first < len(spans) and spans[first][1] <= lo:
            first += 1
        inside, k = [], first
        while k < len(spans) and spans[k][0] < hi:
            if spans[k][1] > lo:
                inside.append(spans[k][2])
            k += 1
        if not inside:
            out.append("/" if out else chords[0].symbol)
            continue
        cuts = [max(lo, to_steps(c.start)) - lo for c in inside]
        g = bar
        for cut in cuts:
            g = gcd(g, cut)
        n_slots = bar // g
        if n_slots > 16:  # odd placement: round each change to the nearest beat
            n_slots = max(1, round(beats_per_bar))
            g = bar // n_slots
        slots = ["/"] * n_slots
        for c, cut in zip(inside, cuts):
            slots[min(n_slots - 1, round(cut / g))] = c.symbol
        out.append(" ".join(slots))
    return out


@lru_cache(maxsize=16)
def _chart_text(chords: tuple, beats_per_bar: float) -> str:
    """format_chart, once for a batch of solos over the same changes (each manifest holds the chart)."""
    return format_chart(list(chords), beats_per_bar)


def format_chart(chords: list[Chord], beats_per_bar: float = 4.0, per_line: int = 4) -> str:
    """Chart text that `parse_chart` reads back to the same chords."""
    bars = chart_bars(chords, beats_per_bar)
    lines = []
    for i in range(0, len(bars), per_line):
        lines.append("| " + " | ".join(f"{b:<12}" for b in bars[i:i + per_line]) + " |")
    return "\n".join(lines) + "\n"

