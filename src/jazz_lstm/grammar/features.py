"""What the chord-aware model reads and writes, as arrays (numpy; no torch, no music21).

**Factored values.**  A grammar value ``TYPE,DURATION[,<LO,HI>]`` is three factors on a
fixed grid, so that no value of a new tune is out of vocabulary:
  type      C S A X R T (6 classes);
  duration  1..DUR_MAX grid steps (1/12 beat; DUR_MAX steps = two 4/4 bars);
  interval  the window's centre in semitones, -INT_MAX..INT_MAX, or none (R, T, a first note).
``value_id`` packs the three into one int (the novelty guard's alphabet).

**Harmony conditioning.**  For each value, what a soloist knows at its onset
(``harmony_features``, COND_DIM floats): the chord sounding (its intervals over the root,
12 bits, and its scale, 12 bits -- alterations included, so C7b9 is not C7), the next
chord (intervals, and its root's distance from this root), the root movement into this
chord, the beat of the bar and the step within the beat, how long until the next change
(6 buckets), whether this onset is on a change, the room left in the bar; and where the
line is (``pitch_features``): the last pitch over the chord's root and its register.

**Legality** (``legality``): the grammar's own rules at each value -- the grid steps left
in the bar (a value never crosses a bar line), whether a previous pitch exists (else a
note has no interval), whether a tie may follow (only on a bar line, after a note).
"""
from __future__ import annotations

from functools import lru_cache

import bisect

import numpy as np

from jazz_lstm.core.music import GRID, Chord, to_steps
from jazz_lstm.grammar.codec import TYPES, WINDOW, Terminal, parse_token

NOTE_TYPES = "CSAX"
DUR_MAX = 96  # grid steps: up to 8 beats (a bar of 4/4, 6/4, 12/8 and 7/4 included)
INT_MAX = 36  # semitones either way (three octaves)
N_TYPE, N_DUR, N_INT = len(TYPES), DUR_MAX, 2 * INT_MAX + 2  # interval class 0 = none
N_VALUES = N_TYPE * N_DUR * N_INT
_CHANGE_BUCKETS = np.array([3, 6, 12, 24, 48, 96])  # steps until the next change: <=1/4 beat ... > 8 beats
HARMONY_DIM = 12 * 5 + 8 + GRID + len(_CHANGE_BUCKETS) + 1 + 1
_REGISTER = np.array([55, 62, 68, 74, 80])  # edges of the register buckets (MIDI pitches)
PITCH_DIM = 12 + 1 + len(_REGISTER) + 1
_TEMPO = np.array([100, 140, 180, 220, 260])  # edges of the tempo buckets (quarter notes a minute)
_SINCE = np.array([1, 2, 3, 5, 8, 12, 18])  # edges of the buckets of notes since the last breath
TIME_DIM = len(_TEMPO) + 1 + len(_SINCE) + 1 + 4 + 4
HARMONY_COND_DIM = HARMONY_DIM + PITCH_DIM  # what models before the time features read (their cond_dim)
COND_DIM = HARMONY_COND_DIM + TIME_DIM
SINCE_BITS = slice(HARMONY_COND_DIM + len(_TEMPO) + 1, HARMONY_COND_DIM + len(_TEMPO) + len(_SINCE) + 2)  # notes since a breath
BREATH_REST = 3  # grid steps: a rest this long or longer (a quarter beat) ends a phrase
CHORD_BITS, SCALE_BITS = slice(0, 12), slice(12, 24)  # where the chord's and its scale's intervals sit
PREV_BITS = slice(HARMONY_DIM, HARMONY_DIM + 12)  # the last pitch over the chord's root
FEATURES_VERSION = "harmony-3"  # saved with chord models and corpus caches; bump when features change
TIME_VERSION = "time-1"  # saved with chord models that read time_features (a suffix of the features: older models
# read the prefix they were trained on, HARMONY_COND_DIM wide)


@lru_cache(maxsize=1 << 16)
def factorize(token: str) -> tuple[int, int, int] | None:
    """'C,0.500,<-1,5>' -> (type, duration class, interval class); None when outside the grid.
    (Memoised: a corpus of 190,000 values holds a few thousand distinct ones.)"""
    t = parse_token(token)
    if t.steps > DUR_MAX:
        return None
    if t.window is None:
        iv = 0
    else:
        centre = (t.window[0] + t.window[1]) // 2
        if abs(centre) > INT_MAX:
            return None
        iv = centre + INT_MAX + 1
    return TYPES.index(t.type), t.steps - 1, iv


@lru_cache(maxsize=1 << 16)
def unfactorize(ty: int, dur: int, iv: int) -> str:
    """The inverse of `factorize`: factor classes -> the grammar value."""
    window = None if iv == 0 else (iv - INT_MAX - 1 - WINDOW, iv - INT_MAX - 1 + WINDOW)
    return str(Terminal(TYPES[ty], dur + 1, window))


def value_id(ty: int, dur: int, iv: int) -> int:
    """Three factor classes -> one int in 0..N_VALUES-1."""
    return (ty * N_DUR + dur) * N_INT + iv


def split_id(vid: int) -> tuple[int, int, int]:
    """The inverse of `value_id`."""
    rest, iv = divmod(int(vid), N_INT)
    ty, dur = divmod(rest, N_DUR)
    return ty, dur, iv


def factor_array(tokens: list[str]) -> np.ndarray:
    """(T, 3) int64 factor classes; values outside the grid get -1 in every column."""
    out = np.full((len(tokens), 3), -1, dtype=np.int64)
    for i, tok in enumerate(tokens):
        f = factorize(tok)
        if f is not None:
            out[i] = f
    return out


def _bits(pcs, root: int) -> np.ndarray:
    v = np.zeros(12, dtype=np.float32)
    v[[(p - root) % 12 for p in pcs]] = 1.0
    return v


def _one_hot(i: int, n: int) -> np.ndarray:
    v = np.zeros(n, dtype=np.float32)
    v[min(max(i, 0), n - 1)] = 1.0
    return v


def harmony_features(chords: list[Chord], onsets, beats_per_bar: float) -> np.ndarray:
    """(T, HARMONY_DIM) float32: the harmony and the metre at each onset (grid steps from 0)."""
    if not chords:
        raise ValueError("harmony features need chords")
    starts = np.array([to_steps(c.start) for c in chords], dtype=np.int64)
    bar = max(1, to_steps(beats_per_bar))
    per_chord = np.stack([np.concatenate([_bits(c.pcs, c.root), _bits(c.scale, c.root), _bits(nxt.pcs, nxt.root),
                                          _one_hot((nxt.root - c.root) % 12, 12), _one_hot((c.root - prv.root) % 12, 12)])
                          for c, nxt, prv in zip(chords, chords[1:] + chords[:1], chords[:1] + chords[:-1])])
    on = np.asarray(onsets, dtype=np.int64).reshape(-1)
    k = np.maximum(0, np.searchsorted(starts, on, side="right") - 1)  # the chord sounding at each onset
    nxt_start = np.append(starts[1:], to_steps(chords[-1].end))[k]
    pos = on % bar
    to_change = np.maximum(0, nxt_start - on)
    rows = np.zeros((len(on), HARMONY_DIM), dtype=np.float32)
    r = np.arange(len(on))
    rows[:, :60] = per_chord[k]
    rows[r, 60 + np.minimum(7, pos // GRID)] = 1.0
    rows[r, 68 + pos % GRID] = 1.0
    rows[r, 80 + np.minimum(len(_CHANGE_BUCKETS) - 1, np.searchsorted(_CHANGE_BUCKETS, to_change))] = 1.0
    rows[:, 86] = on == starts[k]
    rows[:, 87] = (bar - pos) / DUR_MAX  # room left in the bar
    return rows


def chord_roots(chords: list[Chord], onsets) -> np.ndarray:
    """(T,) the root pitch class of the chord sounding at each onset (grid steps)."""
    starts = [to_steps(c.start) for c in chords]
    return np.array([chords[max(0, bisect.bisect_right(starts, on) - 1)].root for on in onsets], dtype=np.int64)


def pitch_features(prev_pitches, roots) -> np.ndarray:
    """(T, PITCH_DIM) float32: where the line is before each value -- the last pitch's
    interval above the current chord's root (12, or 'none yet') and its register (6 buckets)."""
    p = np.asarray(prev_pitches, dtype=np.int64).reshape(-1)
    roots = np.asarray(roots, dtype=np.int64).reshape(-1)
    rows = np.zeros((p.size, PITCH_DIM), dtype=np.float32)
    has = p >= 0
    idx = np.arange(p.size)
    rows[idx[has], (p[has] - roots[has]) % 12] = 1.0
    rows[idx[~has], 12] = 1.0
    rows[idx[has], 13 + np.searchsorted(_REGISTER, p[has], side="right")] = 1.0
    return rows


def phrase_counts(values: list[str]) -> np.ndarray:
    """(T,) notes played since the last breath before each value: a note (C S A X) counts, a rest of
    BREATH_REST grid steps or more starts the count again (ties and short rests change nothing)."""
    out, n = np.zeros(len(values), dtype=np.int64), 0
    for k, v in enumerate(values):
        out[k] = n
        t = parse_token(v)
        if t.type in NOTE_TYPES:
            n += 1
        elif t.type == "R" and t.steps >= BREATH_REST:
            n = 0
    return out


def bar_in_section(bars, section_bars=()) -> np.ndarray:
    """Each bar's place (0-3) in its group of four, counted from the start of its section: the latest
    of `section_bars` (bar numbers where a section of the form starts) at or before it -- before the
    first, counted back from it, so a pick-up bar is the 4th before the section (3) --; with no
    sections, from bar 0.  bar_in_section([0, 1, 2, 5, 6], [1, 5]) -> [3, 0, 1, 0, 1]."""
    bars = np.asarray(bars, dtype=np.int64).reshape(-1)
    starts = np.unique(np.asarray(section_bars, dtype=np.int64).reshape(-1))
    if not starts.size:
        return bars % 4
    latest = starts[np.maximum(0, np.searchsorted(starts, bars, side="right") - 1)]
    return (bars - latest) % 4


def time_features(tempo: float, since, onsets, beats_per_bar: float, end: int, sections=()) -> np.ndarray:
    """(T, TIME_DIM) float32: where the line is in time before each value -- the tempo (6 buckets), the
    notes since its last breath (`since`, 8 buckets), the bar's place in its group of four bars
    (bar_in_section: from the start of its section of the form, where `sections` -- grid steps where a
    section starts -- say, else from bar 0), and how many bars are left before `end` (grid steps: the
    last bar, the one before, 2-3, more)."""
    since = np.asarray(since, dtype=np.int64).reshape(-1)
    on = np.asarray(onsets, dtype=np.int64).reshape(-1)
    bar = max(1, to_steps(beats_per_bar))
    rows = np.zeros((len(on), TIME_DIM), dtype=np.float32)
    r = np.arange(len(on))
    k = len(_TEMPO) + 1
    rows[:, int(np.searchsorted(_TEMPO, tempo, side="right"))] = 1.0
    rows[r, k + np.searchsorted(_SINCE, since, side="right")] = 1.0
    k += len(_SINCE) + 1
    rows[r, k + bar_in_section(on // bar, np.asarray(sections, dtype=np.int64) // bar)] = 1.0
    left = np.maximum(0, (max(1, end) - 1) // bar - on // bar)  # whole bars after this one
    rows[r, k + 4 + np.searchsorted([1, 2, 4], left, side="right")] = 1.0
    return rows


def tone_type_table(cond: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From features rows (T, COND_DIM): the tone type (0 C, 1 S, 2 A, 3 X) of each of the 12
    pitch classes over the chord's root (T, 12), and the last pitch over the root (T,), -1
    before the first note.  (The numpy twin of chordlstm.tone_types.)"""
    chord, scale = cond[:, CHORD_BITS] > 0.5, cond[:, SCALE_BITS] > 0.5
    types = np.full(chord.shape, 3, dtype=np.int64)
    types[np.roll(chord, 1, -1) | np.roll(chord, -1, -1)] = 2
    types[scale] = 1
    types[chord] = 0
    prev = np.where(cond[:, PREV_BITS].max(1) > 0.5, cond[:, PREV_BITS].argmax(1), -1)
    return types, prev


def legality(tokens: list[str], onsets, beats_per_bar: float) -> np.ndarray:
    """(T, 3) int64 per value: grid steps left in its bar, a previous pitch exists (0/1),
    a tie may come here (0/1: on a bar line right after a note or tie)."""
    bar = max(1, to_steps(beats_per_bar))
    out = np.zeros((len(tokens), 3), dtype=np.int64)
    has_prev, last_sounding = 0, False
    for i, (tok, on) in enumerate(zip(tokens, onsets)):
        out[i] = (bar - on % bar, has_prev, int(on % bar == 0 and last_sounding))
        ty = tok[0]
        if ty in NOTE_TYPES:
            has_prev = 1
        last_sounding = ty != "R"
    return out
