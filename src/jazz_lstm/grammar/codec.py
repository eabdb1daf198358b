"""The Gillick-Tang-Keller jazz grammar: one terminal per note or rest.

A terminal reads ``TYPE,DURATION[,<LO,HI>]``:
  TYPE      C chord tone, S scale tone, A approach (a semitone from a chord tone),
            X other, R rest -- judged against the chord sounding at the onset
            (harmony.tone_type; one rule for analysis and synthesis); T tie: the
            previous note held on past a bar line (same pitch, no window);
  DURATION  in quarter notes, 3 decimals, a multiple of 1/12 (keeps triplets);
            a note lasts until the next onset (gaps become rests);
  <LO,HI>   the interval window, in semitones, from the previous note's pitch:
            the actual interval +- WINDOW (absent on the first note).
Terminals never cross a bar line: encode splits notes and rests at bar lines
(so no rest is longer than a bar), and decode never lets a note sound past its
bar or into the next note.  Knows nothing of torch.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from jazz_lstm.core.harmony import tone_type
from jazz_lstm.core.music import GRID, Chord, Note, Solo, chord_finder, to_steps

GRAMMAR_VERSION = "gtk-2"  # saved with every model; bump when terminals change meaning
WINDOW = 3  # semitones either side of the actual interval (a minor third, as in the course)
LEGATO = 3  # grid steps (1/4 beat): a shorter gap after a note is articulation, not a rest
TYPES = "CSAXRT"
_FALLBACK = {"X": "ASC", "A": "XSC", "S": "CAX", "C": "SAX"}
_TOKEN_RE = re.compile(r"^([CSAXRT]),(\d+(?:\.\d+)?)(?:,<(-?\d+),(-?\d+)>)?$")


@dataclass(frozen=True)
class Terminal:
    """A parsed terminal.  steps: duration in grid steps (1/12 beat); window: (lo, hi) or None."""

    type: str
    steps: int
    window: tuple | None = None

    def __str__(self) -> str:
        text = f"{self.type},{self.steps / GRID:.3f}"
        return text + (f",<{self.window[0]},{self.window[1]}>" if self.window else "")


@lru_cache(maxsize=65536)
def parse_token(token: str) -> Terminal:
    """'C,0.500,<-1,5>' -> Terminal('C', 6, (-1, 5)).  ValueError on anything else."""
    m = _TOKEN_RE.match(token)
    if not m:
        raise ValueError(f"not a grammar terminal: {token!r}")
    steps = int(round(float(m.group(2)) * GRID))
    if steps <= 0:
        raise ValueError(f"terminal {token!r} has no duration")
    window = (int(m.group(3)), int(m.group(4))) if m.group(3) is not None else None
    return Terminal(m.group(1), steps, window)


def events(solo: Solo, legato: int = LEGATO) -> tuple[int, list[tuple[int, int, int | None, bool]]]:
    """The melody on the grid, tiled bar by bar: (first bar, [(onset, steps, pitch|None, tied)]).

    Onsets and durations are in grid steps from the start of the tune.  Notes are
    quantized, made monophonic (a note lasts until the next onset), gaps of up to
    `legato` steps are absorbed into the note before them, longer gaps become rests,
    and notes and rests are split at bar lines (tied=True marks the part of a note
    after a bar line).  Leading empty bars are left out.
    """
    bar = to_steps(solo.beats_per_bar)
    line: list[list] = []
    for n in solo.notes:
        on, off = to_steps(n.start), max(to_steps(n.end), to_steps(n.start) + 1)
        if line and on <= line[-1][0]:
            continue  # same grid onset as the previous note: keep the first (top voice)
        if line and (line[-1][1] > on or on - line[-1][1] <= legato):
            line[-1][1] = on
        line.append([on, off, n.pitch])
    if not line:
        return 0, []
    first_bar = line[0][0] // bar
    pos, out = first_bar * bar, []
    for on, off, pitch in line:
        if on > pos:
            out.extend(_split(pos, on, None, bar))
        out.extend(_split(on, off, pitch, bar))
        pos = off
    end = -(-pos // bar) * bar
    if end > pos:
        out.extend(_split(pos, end, None, bar))
    return first_bar, out


def _split(on: int, off: int, pitch, bar: int):
    first = True
    while on < off:
        stop = min(off, (on // bar + 1) * bar)
        yield (on, stop - on, pitch, not first and pitch is not None)
        on, first = stop, False


def encode(solo: Solo) -> list[str]:
    """The melody of `solo` as grammar terminals (see the module docstring)."""
    return encode_onsets(solo)[0]


def encode_onsets(solo: Solo) -> tuple[list[str], list[int]]:
    """The grammar terminals of `solo` and each one's onset in grid steps from beat 0."""
    if not solo.chords:
        raise ValueError("encode needs chords")
    _, evs = events(solo)
    chord_at = chord_finder(solo.chords)
    tokens, prev = [], None
    for on, steps, pitch, tied in evs:
        if pitch is None or tied:
            tokens.append(str(Terminal("T" if tied else "R", steps)))
            continue
        window = None if prev is None else (pitch - prev - WINDOW, pitch - prev + WINDOW)
        tokens.append(str(Terminal(tone_type(pitch, chord_at(on)), steps, window)))
        prev = pitch
    return tokens, [ev[0] for ev in evs]


def previous_pitches(solo: Solo) -> list[int]:
    """For each terminal of `encode(solo)`, the pitch sounding last before it (-1: none yet)."""
    _, evs = events(solo)
    out, prev = [], -1
    for _, _, pitch, _ in evs:
        out.append(prev)
        if pitch is not None:
            prev = pitch
    return out


@lru_cache(maxsize=4096)
def _pitches_by_type(pcs: frozenset, scale: frozenset, low: int, high: int) -> dict:
    probe = Chord("?", min(pcs), pcs, scale)
    out: dict = {t: [] for t in "CSAX"}
    for p in range(low, high + 1):
        out[tone_type(p, probe)].append(p)
    return out


def choose_pitch(term: Terminal, chord: Chord, prev: int | None, rng: random.Random,
                 low: int = 48, high: int = 88, exact: bool = False) -> int:
    """A pitch of the terminal's type over `chord`, inside its window when one exists.

    Pitches nearer the window's centre (the interval the terminal was learnt from) are
    likelier.  If no pitch of that type lies in the window (or the register low..high), the
    nearest ones to the window are taken; if the type cannot occur over this chord
    at all (X over a maj7, say), the closest type in _FALLBACK order is used.  exact=True
    takes the window's centre itself whenever it is a pitch of the right type (for models
    that choose the interval, not only its window).
    """
    table = _pitches_by_type(chord.pcs, chord.scale, low, high)
    ref = prev if prev is not None else (low + high) // 2
    lo, hi = (ref + term.window[0], ref + term.window[1]) if term.window and prev is not None else (ref - 6, ref + 6)
    pool = table[term.type] or next(table[t] for t in _FALLBACK[term.type] if table[t])
    inside = [p for p in pool if lo <= p <= hi]
    if exact and term.window and prev is not None and (lo + hi) // 2 in inside:
        return (lo + hi) // 2  # the very interval the model chose, when it has the right type
    if not inside:
        dist = [max(lo - p, p - hi) for p in pool]
        best = min(dist)
        inside = [p for p, d in zip(pool, dist) if d == best]
    if len(inside) == 1:
        return inside[0]
    # favour the window's centre (the interval the terminal was learnt from): weight (W + 1 - |distance|)^2
    centre = (lo + hi) / 2
    weights = [max(0.25, WINDOW + 1 - abs(p - centre)) ** 2 for p in inside]
    return rng.choices(inside, weights)[0]


class Decoder:
    """Turns terminals into Notes one at a time (what `decode` does for a whole stream), so a
    sampler can know each pitch as it goes.  feed(token) -> the pitch now sounding (None
    after a rest); .notes: the Notes so far; .prev: the last pitch."""

    def __init__(self, chords: list[Chord], prev_pitch: int | None = None, rng: random.Random | int | None = None,
                 start: float = 0.0, beats_per_bar: float = 4.0, low: int = 48, high: int = 88, velocity: int = 90,
                 exact: bool = False):
        self.rng = rng if isinstance(rng, random.Random) else random.Random(rng)
        self.chord_at = chord_finder(chords)
        self.bar, self.pos, self.prev = to_steps(beats_per_bar), to_steps(start), prev_pitch
        self.low, self.high, self.velocity, self.notes, self.exact = low, high, velocity, [], exact

    def feed(self, tok: str) -> int | None:
        term, pos, bar = parse_token(tok), self.pos, self.bar
        if term.type == "T" and self.prev is None:
            term = Terminal("C", term.steps)  # a tie with nothing before it: a chord tone
        sounding = None
        if term.type != "R":
            steps = min(term.steps, (pos // bar + 1) * bar - pos)
            if term.type != "T":
                self.prev = choose_pitch(term, self.chord_at(pos), self.prev, self.rng, self.low, self.high, self.exact)
            tied = term.type == "T" and bool(self.notes) and to_steps(self.notes[-1].end) == pos
            self.notes.append(Note(self.prev, pos / GRID, steps / GRID, self.velocity, tied))
            sounding = self.prev
        self.pos += term.steps
        return sounding


def decode(tokens: list[str], chords: list[Chord], prev_pitch: int | None = None,
           rng: random.Random | int | None = None, start: float = 0.0, beats_per_bar: float = 4.0,
           low: int = 48, high: int = 88, velocity: int = 90, exact: bool = False) -> list[Note]:
    """Terminals -> Notes over `chords`, starting at beat `start` (on a bar line).

    prev_pitch: the pitch before the first terminal (None: start mid-register).
    rng: a random.Random or a seed.  A note never sounds past its bar line.
    exact: take each window's centre when it has the right type (see choose_pitch).
    """
    dec = Decoder(chords, prev_pitch, rng, start, beats_per_bar, low, high, velocity, exact)
    for tok in tokens:
        dec.feed(tok)
    return dec.notes


def roundtrip(solo: Solo, seed: int = 0) -> dict:
    """Encode the melody, decode it over the same chords, and report agreement (0..1).

    type, duration and onset must agree exactly; pitch_class is the share of notes
    whose pitch class the decoder happened to pick again (it chooses freely among
    pitches of the right type in the window).
    """
    first_bar, evs = events(solo)
    tokens = encode(solo)
    notes = decode(tokens, solo.chords, None, seed, first_bar * solo.beats_per_bar, solo.beats_per_bar,
                   low=min([n.pitch for n in solo.notes] + [48]), high=max([n.pitch for n in solo.notes] + [88]))
    ref = [(on, st, p) for on, st, p, _ in evs if p is not None]
    chord_at = chord_finder(solo.chords)
    terms = [parse_token(t) for t in tokens if not t.startswith("R")]
    n = max(1, len(ref))
    same = lambda f: sum(f(r, d, t) for r, d, t in zip(ref, notes, terms)) / n  # noqa: E731
    return {
        "tokens": len(tokens),
        "notes": len(ref),
        "decoded": len(notes),
        "onset": same(lambda r, d, t: r[0] == to_steps(d.start)),
        "duration": same(lambda r, d, t: r[1] == to_steps(d.duration)),
        "type": same(lambda r, d, t: t.type == "T" or tone_type(d.pitch, chord_at(r[0])) == t.type),
        "pitch_class": same(lambda r, d, t: r[2] % 12 == d.pitch % 12),
    }


def stats(tokens: list[str]) -> dict:
    """Token statistics: count, distinct values, share of each type, most common terminals."""
    c = Counter(tokens)
    types = Counter(t[0] for t in tokens)
    n = max(1, len(tokens))
    return {"tokens": len(tokens), "values": len(c), "types": {k: types.get(k, 0) / n for k in TYPES},
            "top": c.most_common(8)}
