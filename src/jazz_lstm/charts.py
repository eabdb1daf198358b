"""Chord charts as text: "Dm7 G7 | Cmaj7 % | A7b9 |".

One bar per `|`; the symbols in a bar share it equally; `/` (or `%` after a
chord) holds the previous chord for one more slot; a bar holding only `%`
repeats the previous bar.  A word starting with `#` begins a comment.
"""
from __future__ import annotations

import os
import re
from math import gcd

from .errors import JazzError
from .harmony import parse_chord
from .music import Chord, to_steps

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


def parse_chart(text: str, beats_per_bar: float = 4.0, source: str | None = None) -> list[Chord]:
    """Parse a chart into Chords with absolute starts in beats (bar 0 at beat 0)."""
    lines = [_COMMENT.sub("", ln) for ln in text.splitlines()]
    body = " ".join(lines).strip().strip("|")
    bars = [b.split() for b in body.split("|")]
    bars = [b for b in bars if b] if body else []
    if not bars:
        raise JazzError("the chord chart is empty", source)
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


def chords_or_chart(spec: str, beats_per_bar: float = 4.0) -> list[Chord]:
    """A `--chords` value: a chart file path when one exists, else chart text."""
    if os.path.isfile(spec):
        return read_chart(spec, beats_per_bar)
    return parse_chart(spec, beats_per_bar, source="--chords")


def chart_bars(chords: list[Chord], beats_per_bar: float = 4.0, n_bars: int | None = None) -> list[str]:
    """One string per bar, e.g. ["Dm7 G7", "Cmaj7", "Dm7 / / G7"]."""
    bar = to_steps(beats_per_bar)
    end = max((to_steps(c.end) for c in chords), default=0)
    n_bars = n_bars or max(1, -(-end // bar))
    spans = sorted((to_steps(c.start), to_steps(c.end), c) for c in chords)  # chords don't overlap: one pass
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


def format_chart(chords: list[Chord], beats_per_bar: float = 4.0, per_line: int = 4) -> str:
    """Chart text that `parse_chart` reads back to the same chords."""
    bars = chart_bars(chords, beats_per_bar)
    lines = []
    for i in range(0, len(bars), per_line):
        lines.append("| " + " | ".join(f"{b:<12}" for b in bars[i:i + per_line]) + " |")
    return "\n".join(lines) + "\n"

