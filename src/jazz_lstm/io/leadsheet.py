"""Impro-Visor leadsheets (`.ls`): the text format of the program where the
Gillick-Tang-Keller grammar was born.

A leadsheet is a list of s-expressions -- ``(title ...)``, ``(meter 4 4)``, ``(key -2)``
(sharps > 0, flats < 0), ``(tempo 160)`` -- and parts: ``(part (type chords) ...)`` is
followed by chord bars (``Cm7 | F7 / Bb7 / | NC |``; ``/`` holds the chord one more
slot, a bar of ``/`` holds it a whole bar), ``(part (type melody) ...)`` by note
tokens: a letter, accidentals (``#``, ``b``), octave marks (``+`` up, ``-`` down from
the octave of middle C), a duration (``1 2 4 8 16 32``, dots, ``/3`` for a triplet,
``+`` joining tied durations, as in ``c+4+8``), and ``r`` for rests.  Every melody
part is one chorus over the same chords; choruses are played one after another.
Parenthesised groups between bars (``(section ...)``, ``(phrase ...)``, roadmaps) are
skipped.  Knows nothing of torch or music21.

    raw = read_leadsheet("CharlieParker_Ornithology.ls")   # a RawTune: tracks and chords
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from jazz_lstm.core.charts import chart_bars
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import write_atomic
from jazz_lstm.core.harmony import parse_chord
from jazz_lstm.core.music import Chord, merge_ties, to_steps
from jazz_lstm.io.rawtune import RawTune, Track

_KEY_NAMES = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
_LETTER = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_NOTE_RE = re.compile(r"^([a-gr])([#b]*)([+-]*)((?:\d+\.*(?:/\d+)?)(?:\+\d+\.*(?:/\d+)?)*)?$")
_DUR_RE = re.compile(r"^(\d+)(\.*)(?:/(\d+))?$")
MAX_TOKENS = 200_000  # notes, rests and chord slots in one file: beyond this it is not a leadsheet


@dataclass
class LeadSheet:
    """What a leadsheet holds.  chords: the chord part, one bar per entry, each a list of
    (symbol or None for NC, slots).  choruses: each melody part as (pitch or None for a
    rest, duration in beats).  meter: (numerator, denominator).  key: sharps (> 0) or
    flats (< 0).  tempo: quarter notes per minute."""

    title: str = ""
    composer: str = ""
    meter: tuple = (4, 4)
    key: int = 0
    tempo: float = 120.0
    bars: list = field(default_factory=list)
    choruses: list = field(default_factory=list)


def _items(text: str, source: str):
    """Top-level items: ('group', text inside a balanced paren group) or ('word', token)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            depth, j = 0, i
            while j < n:
                if text[j] == "(":
                    depth += 1
                elif text[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if depth:
                raise JazzError("unbalanced parentheses in the leadsheet", source)
            yield "group", text[i + 1:j]
            i = j + 1
        elif ch == ")":
            raise JazzError("unbalanced parentheses in the leadsheet", source)
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "()":
                j += 1
            yield "word", text[i:j]
            i = j


def _field(group: str, name: str) -> str | None:
    m = re.match(rf"\s*{name}\s+(.*)$", group, re.S)
    return m.group(1).strip() if m else None


def duration_beats(text: str) -> float:
    """'4' -> 1.0, '8.' -> 0.75, '8/3' -> 1/3, '2+8' -> 2.5 (quarter notes).  ValueError if bad."""
    total = 0.0
    for part in text.split("+"):
        m = _DUR_RE.match(part)
        if not m or int(m.group(1)) == 0 or int(m.group(1)) > 1920:
            raise ValueError(f"bad duration {text!r}")
        beats = 4.0 / int(m.group(1))
        beats *= 2 - 0.5 ** len(m.group(2))  # each dot adds half of the previous value
        if m.group(3):
            k = int(m.group(3))
            if not 2 <= k <= 16:
                raise ValueError(f"bad tuplet {text!r}")
            beats *= 2 ** (k.bit_length() - 1) / k  # /3: 2 in the time of 3, /5: 4 in the time of 5
        total += beats
    return total


def parse_note(token: str, default: float = 0.5) -> tuple[int | None, float]:
    """'c#+8/3' -> (73, 1/3); 'r4' -> (None, 1.0); middle C is 'c' (60).  ValueError if bad."""
    m = _NOTE_RE.match(token)
    if not m:
        raise ValueError(f"not a note {token!r}")
    letter, acc, octave, dur = m.groups()
    beats = duration_beats(dur) if dur else default
    if letter == "r":
        if acc or octave:
            raise ValueError(f"not a rest {token!r}")
        return None, beats
    pitch = 60 + _LETTER[letter] + acc.count("#") - acc.count("b") + 12 * (octave.count("+") - octave.count("-"))
    if not 0 <= pitch <= 127:
        raise ValueError(f"note {token!r} is outside the MIDI range")
    return pitch, beats


def parse_leadsheet(text: str, source: str = "") -> LeadSheet:
    """Parse leadsheet text; JazzError naming the problem for anything unreadable."""
    r = _Reader(source)
    for n_tokens, (what, item) in enumerate(_items(text, source), 1):
        if n_tokens > MAX_TOKENS:
            raise JazzError(f"more than {MAX_TOKENS} tokens: too large for a leadsheet", source)
        if what == "group":
            r.group(item)
        else:
            r.item(item)
    return r.finish()


class _Reader:
    """parse_leadsheet's state: the part being read (None before any part: the header), the
    chord bar being filled, the melody chorus being filled."""

    def __init__(self, source: str):
        self.ls, self.source = LeadSheet(), source
        self.part, self.bar, self.chorus = None, [], None
        self.after_bar_line = self.bare = False

    def group(self, item: str) -> None:
        head = item.split(None, 1)[0] if item.split() else ""
        if head == "part":
            self._close_bar()
            self.part = "melody" if re.search(r"\(type\s+melody\)", item) else "chords" \
                if re.search(r"\(type\s+chords\)", item) else "other"
            if self.part == "melody":
                self._new_chorus()
        elif self.part is None:
            self._header(head, item)

    def _header(self, head: str, item: str) -> None:
        ls, source = self.ls, self.source
        if head in ("title", "composer"):
            setattr(ls, head, _field(item, head) or "")
        elif head == "meter":
            nums = (_field(item, "meter") or "").split()
            if len(nums) != 2 or not all(x.isdigit() for x in nums):
                raise JazzError(f"bad meter ({item.strip()})", source)
            ls.meter = (int(nums[0]), int(nums[1]))
        elif head in ("key", "tempo"):
            try:
                ls.key = int(_field(item, "key") or 0) if head == "key" else ls.key
                ls.tempo = float(_field(item, "tempo") or 120) if head == "tempo" else ls.tempo
            except ValueError:
                raise JazzError(f"bad {head} ({item.strip()})", source) from None

    def _close_bar(self) -> None:
        if self.part == "chords" and self.bar:
            self.ls.bars.append(self.bar)
        self.bar = []

    def _new_chorus(self) -> None:
        self.chorus = []
        self.ls.choruses.append(self.chorus)

    def item(self, item: str) -> None:
        if self.part is None:
            self.part, self.bare = "chords", True  # a bare chart: chord bars with no header ...
        if self.bare and self.part == "chords" and _NOTE_RE.match(item):  # ... and perhaps notes after them
            self._close_bar()
            self.part = "melody"
            self._new_chorus()
        if self.part == "chords":
            self._chord_item(item)
        elif self.part == "melody" and item != "|":  # bar lines in a melody are only for the eye
            try:
                self.chorus.append(parse_note(item, self.chorus[-1][1] if self.chorus else 0.5))
            except ValueError as e:
                raise JazzError(f"melody: {e}", self.source) from None

    def _chord_item(self, item: str) -> None:
        if item == "|":
            if not self.bar and self.after_bar_line:
                self.ls.bars.append(["/"])  # "| |": an empty bar holds the chord
            self._close_bar()
            self.after_bar_line = True
            return
        self.after_bar_line = False
        self.bar.extend(word for word in item.split("|") if word)  # "Cm7|F7" without spaces
        if item.endswith("|"):
            self._close_bar()

    def finish(self) -> LeadSheet:
        self._close_bar()
        ls, source = self.ls, self.source
        num, den = ls.meter
        if not (1 <= num <= 32 and den in (1, 2, 4, 8, 16)):
            raise JazzError(f"unsupported meter {num}/{den}", source)
        if not 0 < ls.tempo <= 1000:
            raise JazzError(f"bad tempo {ls.tempo}", source)
        ls.tempo = min(400.0, max(10.0, ls.tempo))
        if not -7 <= ls.key <= 7:
            raise JazzError(f"bad key signature {ls.key} (sharps > 0, flats < 0, at most 7)", source)
        return ls


def chart_chords(ls: LeadSheet, source: str = "") -> list[Chord]:
    """The chord part as Chords (times in beats from 0).  A slot of '/' holds the chord
    before it; NC (no chord) also holds it -- the grammar needs a chord under every note
    -- or, before the first chord, takes the first chord that follows."""
    return bars_chords(ls.bars, ls.meter[0] * 4.0 / ls.meter[1], source)


def bars_chords(bars: list, bpb: float, source: str = "") -> list[Chord]:
    """Chords from bars of slots (each bar shared equally by its slots): a slot of '/', 'NC' or
    '%' holds the chord before it; holds before the first chord go to the first chord."""
    chords: list[Chord] = []
    pending = 0.0  # NC before any chord
    for i, slots in enumerate(bars):
        slot = bpb / len(slots)
        for j, sym in enumerate(slots):
            start = i * bpb + j * slot
            if sym in ("/", "NC", "N.C.", "nc") or (sym == "%" and chords):
                if chords:
                    last = chords[-1]
                    chords[-1] = last.at(last.start, last.duration + slot)
                else:
                    pending += slot
                continue
            try:
                c = parse_chord(sym, start, slot)
            except JazzError as e:
                raise JazzError(f"chord bar {i + 1}: {e.message}", source) from None
            if pending:
                c, pending = c.at(0.0, slot + pending), 0.0
            chords.append(c)
    return chords


def choruses_notes(ls: LeadSheet, chorus_beats: float):
    """Each melody part's notes as (pitch, start, duration) in beats, the choruses one
    after another: chorus k starts at the first whole chart length after chorus k-1 ends."""
    out, offset = [], 0.0
    for chorus in ls.choruses:
        pos = 0.0
        for pitch, beats in chorus:
            if pitch is not None:
                out.append((pitch, offset + pos, beats))
            pos += beats
        if pos > 0:
            offset += chorus_beats * max(1, math.ceil(pos / chorus_beats - 1e-9)) if chorus_beats else pos
    return out, offset


def read_file(path: str) -> LeadSheet:
    """Parse the leadsheet at `path`; JazzError when it cannot be read or parsed."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise JazzError(f"cannot read ({e.strerror})", path) from None
    return parse_leadsheet(text, path)


def read_leadsheet(path: str):
    """Read a `.ls` file into a RawTune (midi_io's record): one melody track holding every
    chorus, and the chord part repeated under each chorus."""
    ls = read_file(path)
    chart = chart_chords(ls, path)
    bpb = ls.meter[0] * 4.0 / ls.meter[1]
    chart_beats = len(ls.bars) * bpb
    notes, total = choruses_notes(ls, chart_beats)
    chords = list(chart)
    if chart and chart_beats:
        k = 1
        while k * chart_beats < total - 1e-9:
            chords += [c.at(c.start + k * chart_beats, c.duration) for c in chart]
            k += 1
    tracks = []
    if notes:
        p, s, d = zip(*notes)
        tracks.append(Track.from_lists(f"melody ({len(ls.choruses)} chorus{'es' if len(ls.choruses) != 1 else ''})",
                                       66, False, s, d, p, [90] * len(p)))
    key = f"{_KEY_NAMES[ls.key + 7]} major"
    return RawTune(tracks, chords, ls.meter, ls.tempo, key, path, title=ls.title or "")


def read_sheet_chart(path: str) -> tuple[LeadSheet, list[Chord], float]:
    """A leadsheet's header with its chord part: (sheet, chords, beats per bar)."""
    ls = read_file(path)
    chords = chart_chords(ls, path)
    if not chords:
        raise JazzError("the leadsheet has no chords", path)
    return ls, chords, ls.meter[0] * 4.0 / ls.meter[1]


def read_leadsheet_chart(path: str) -> tuple[list[Chord], float]:
    """Only the chord part of a leadsheet (any of the charts of standards): (chords, beats per bar)."""
    return read_sheet_chart(path)[1:]


# --- writing -----------------------------------------------------------------------------------
_NOTE_VALUES = (32, 16, 8, 4, 2, 1)  # Impro-Visor's note values (1 = a whole note), shortest first
_TUPLETS = (1, 3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16)  # '/k': 2^(bits-1) notes in the time of k
_SHARP_NAMES = ["c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b"]
_FLAT_NAMES = ["c", "db", "d", "eb", "e", "f", "gb", "g", "ab", "a", "bb", "b"]


def duration_text(beats) -> str:
    """A length in beats as Impro-Visor writes it, exactly where it can: 1 -> '4', 1.5 -> '4+8',
    1/3 -> '8/3', 0.2 -> '16/5' (tied values joined by '+', the inverse of duration_beats);
    a length no single tuplet family writes is put on the 1/12-beat grid."""
    from fractions import Fraction

    d = Fraction(beats).limit_denominator(100_000)
    if d <= 0:
        raise ValueError(f"a note lasts more than nothing (got {beats})")
    grid = round(d * 24)  # in 1/24 beat: a straight 32nd is 3, a triplet 32nd ('32/3') 2
    if Fraction(grid, 24) != d or grid < 2:
        for k in _TUPLETS[2:]:
            unit = Fraction(4, 32) * Fraction(2 ** (k.bit_length() - 1), k)
            if (d / unit).denominator == 1:
                return _tuplet_sum(int(d / unit), k)
        grid = max(2, 2 * round(d * 12))  # no single family: the grammar's grid (1/12 beat)
    triplets = 0 if grid % 3 == 0 else grid if grid % 2 == 0 else (0, 4, 2)[grid % 3]  # straight, triplet, or both
    return "+".join(t for t in (_tuplet_sum((grid - triplets) // 3, 1), _tuplet_sum(triplets // 2, 3)) if t)


def _tuplet_sum(m: int, k: int) -> str:
    """m of the smallest value (a 32nd, or a 32nd of tuplet k) written as tied values, longest first."""
    parts, sizes = [], [(32 // v, v) for v in reversed(_NOTE_VALUES)]  # (32nds in it, value), whole note first
    suffix = "" if k == 1 else f"/{k}"
    for size, value in sizes:
        while m >= size:
            parts.append(f"{value}{suffix}")
            m -= size
    return "+".join(parts)


def note_text(pitch: int | None, beats, flats: bool = True) -> str:
    """One melody token: 'bb-8', 'c#+4+8/3', 'r2' (middle C is 'c', each octave a '+' or '-')."""
    if pitch is None:
        return "r" + duration_text(beats)
    octave = pitch // 12 - 5
    name = (_FLAT_NAMES if flats else _SHARP_NAMES)[pitch % 12]
    return name + ("+" * octave if octave > 0 else "-" * -octave) + duration_text(beats)


def leadsheet_text(solo, title: str = "", fifths: int = 0, composer: str = "jazz-lstm") -> str:
    """The solo as an Impro-Visor leadsheet: title, composer, meter, key, tempo, the chord part
    over the whole solo and one melody part.  Notes are merged across ties and written with
    exact note values (tuplets included); `read_leadsheet` reads back the same notes and chords."""
    from fractions import Fraction

    num, den = solo.time_signature
    bar = to_steps(solo.beats_per_bar)
    notes = merge_ties(solo.notes)
    end = max([to_steps(n.start + n.duration) for n in notes] + [to_steps(c.end) for c in solo.chords] + [bar])
    n_bars = -(-end // bar)
    words, pos = [], Fraction(0)
    for n in notes:
        on, length = Fraction(n.start).limit_denominator(100_000), Fraction(n.duration).limit_denominator(100_000)
        if on < pos or length <= 0:
            continue  # an overlap: the line stays monophonic
        if on > pos:
            words.append(note_text(None, on - pos))
        words.append(note_text(n.pitch, length, fifths <= 0))
        pos = on + length
    melody = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    bars = chart_bars(list(solo.chords), solo.beats_per_bar, n_bars) if solo.chords else ["NC"] * n_bars
    chords = [" | ".join(bars[i:i + 4]) + " |" for i in range(0, len(bars), 4)]
    clean = " ".join(str(title or solo.title or "jazz-lstm solo").replace("(", "[").replace(")", "]").split())
    head = [f"(title {clean})", f"(composer {composer})", f"(meter {num} {den})", f"(key {fifths})",
            f"(tempo {solo.tempo:g})"]
    return "\n".join(head + ["(part (type chords))"] + chords + ["(part (type melody))"] + melody) + "\n"


def write_leadsheet(path: str, solo, title: str = "", fifths: int = 0) -> str:
    """Write `solo` as an Impro-Visor leadsheet (atomically); returns the path.  The inverse of
    read_leadsheet: notes (onset, duration, pitch) and chords read back exactly."""
    return write_atomic(path, leadsheet_text(solo, title, fifths))
