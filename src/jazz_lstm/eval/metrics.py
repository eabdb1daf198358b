"""Musical metrics: pure functions of notes, chords and token streams (no torch, no I/O).

Times in beats, pitches as MIDI numbers; entropies in bits.  Sources: pitch-class
entropy H1/H4 and grooving similarity GS after Wu & Yang (2020, the Jazz Transformer);
chord/scale-tone shares after MINGUS; longest copied phrase after BebopNet.
"""
from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

import numpy as np

from jazz_lstm.core.harmony import tone_type
from jazz_lstm.core.music import Chord, Note, beat_finder, merge_ties, to_steps
from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton


def tone_shares(notes: list[Note], chords: list[Chord], by: str = "notes") -> dict:
    """Share of C (chord), S (scale), A (approach) and X (other) tones, over notes or
    over duration (by="duration"), each judged against the chord at the note's onset."""
    weights = {t: 0.0 for t in "CSAX"}
    at = beat_finder(chords)
    for n in notes:
        weights[tone_type(n.pitch, at(n.start))] += n.duration if by == "duration" else 1.0
    total = sum(weights.values())
    return {t: (w / total if total else 0.0) for t, w in weights.items()}


def _entropy(counts) -> float:
    c = np.asarray(list(counts), dtype=float)
    c = c[c > 0]
    if c.size == 0:
        return 0.0
    p = c / c.sum()
    return float(-(p * np.log2(p)).sum())


def pitch_class_entropy(notes: list[Note], beats_per_bar: float = 4.0, bars: int = 1) -> float:
    """Mean entropy (bits) of the pitch-class histogram (note counts) over windows of
    `bars` bars that hold notes (H1 with bars=1, H4 with bars=4)."""
    span = beats_per_bar * bars
    windows: dict = {}
    for n in notes:
        windows.setdefault(int(n.start // span), Counter())[n.pitch % 12] += 1
    return float(np.mean([_entropy(c.values()) for c in windows.values()])) if windows else 0.0


def grooving_similarity(notes: list[Note], beats_per_bar: float = 4.0, n_bars: int | None = None) -> float:
    """Mean over all pairs of bars of 1 - (positions where exactly one bar has an
    onset) / (positions per bar), onsets on the 1/12-beat grid (GS)."""
    q = to_steps(beats_per_bar)
    n_bars = n_bars or (int(max(n.start for n in notes) // beats_per_bar) + 1 if notes else 0)
    grid = np.zeros((n_bars, q), dtype=bool)
    for n in notes:
        s = to_steps(n.start)
        if s // q < n_bars:
            grid[s // q, s % q] = True
    if n_bars < 2:
        return 1.0
    sims = [1.0 - np.logical_xor(grid[i], grid[j]).sum() / q for i, j in combinations(range(n_bars), 2)]
    return float(np.mean(sims))


def pitch_range(notes: list[Note]) -> int:
    """Highest minus lowest pitch, in semitones."""
    return max(n.pitch for n in notes) - min(n.pitch for n in notes) if notes else 0


def mean_abs_interval(notes: list[Note]) -> float:
    """Mean absolute interval between consecutive notes, in semitones."""
    ps = [n.pitch for n in notes]
    return float(np.mean(np.abs(np.diff(ps)))) if len(ps) > 1 else 0.0


def note_density(notes: list[Note], n_bars: int) -> float:
    """Notes per bar."""
    return len(notes) / n_bars if n_bars else 0.0


def empty_beat_rate(notes: list[Note], n_beats: int) -> float:
    """Share of beats (whole quarter notes from 0) during which no note sounds."""
    if n_beats <= 0:
        return 0.0
    busy = np.zeros(n_beats, dtype=bool)
    for n in notes:
        a, b = int(math.floor(n.start)), int(math.ceil(n.end - 1e-9))
        busy[max(0, a):min(n_beats, b)] = True
    return float(1.0 - busy.mean())


def note_events(notes: list[Note]) -> list[tuple[int, int]]:
    """(interval from the previous note in semitones, duration in grid steps) per note
    after the first: a melody's shape, independent of key."""
    return [(b.pitch - a.pitch, to_steps(b.duration)) for a, b in zip(notes, notes[1:])]


def longest_common_run(a: list, b: list) -> int:
    """Length of the longest run of consecutive items of `a` found verbatim in `b`."""
    return longest_common_span(a, b)[0]


def longest_common_span(a: list, b: list) -> tuple[int, int]:
    """(length, start in `a`) of the longest run of consecutive items of `a` found in `b`."""
    if not a or not b:
        return 0, 0
    ids: dict = {}
    ai = np.array([ids.setdefault(x, len(ids)) for x in a])
    bi = np.array([ids.setdefault(x, len(ids)) for x in b])
    best, end, prev = 0, 0, np.zeros(len(bi) + 1, dtype=np.int32)
    for k, x in enumerate(ai):
        cur = np.zeros_like(prev)
        cur[1:] = np.where(bi == x, prev[:-1] + 1, 0)
        m = int(cur.max())
        if m > best:
            best, end = m, k + 1
        prev = cur
    return best, end - best


def longest_copy_notes(notes: list[Note], training: list[list[Note]]) -> int:
    """Longest phrase of `notes` copied verbatim (same intervals and durations) from any
    training melody, in notes (k matching intervals = k + 1 notes; 1 if nothing matches)."""
    ev = note_events(notes)
    runs = [longest_common_run(ev, note_events(t)) for t in training]
    return (max(runs) + 1) if runs and max(runs) else min(1, len(notes))


def value_shapes(tokens: list[str]) -> list[tuple[int, int]]:
    """The notes grammar values describe, as note_events sees notes: (interval, duration in
    grid steps) of each note after the first, a tie merged into its note, rests silent.
    (A value's interval is its window's centre: the interval it was encoded from.)"""
    out, pending = [], None  # pending: [interval, steps] of the note still sounding
    for tok in tokens:
        ttype, parts = tok[0], tok.split(",")
        steps = to_steps(float(parts[1]))
        if ttype == "T":
            if pending is not None:
                pending[1] += steps
            continue
        if ttype not in "CSAX":
            continue
        if pending is not None and pending[0] is not None:
            out.append(tuple(pending))
        window = (int(parts[2].strip("<")), int(parts[3].strip(">"))) if len(parts) > 3 else None
        pending = [(window[0] + window[1]) // 2 if window else None, steps]
    if pending is not None and pending[0] is not None:
        out.append(tuple(pending))
    return out


def longest_copy_values_as_notes(tokens: list[str], training: list[list[str]]) -> tuple[int, int]:
    """(longest passage in notes copied from any training stream -- counted as
    longest_copy_notes counts, the note it starts from included --, which stream)."""
    return longest_copy_shapes(value_shapes(tokens), [value_shapes(t) for t in training])


def longest_copy_shapes(mine: list, training: list[list], index: CopyIndex | None = None) -> tuple[int, int]:
    """longest_copy_values_as_notes on shapes already made (value_shapes), e.g. once for many solos;
    `index`: a CopyIndex over `training` already built."""
    run, best = (index or CopyIndex(training)).source(mine)
    return (run + 1 if run else min(1, len(mine))), best


class CopyIndex:
    """One suffix automaton over the training streams, asked many times: the longest run of a stream's
    consecutive items found verbatim in any one training stream (linear, where the pairwise search was
    quadratic), and which stream holds it."""

    def __init__(self, training: list[list]):
        self.training, self.ids = training, {}
        self.sam = SuffixAutomaton([[self.ids.setdefault(x, len(self.ids)) for x in t] for t in training])
        self._text: list | None = None  # each training stream as a string of item codes (for str.find)

    def runs(self, stream: list) -> list[int]:
        """At each item of `stream`, the longest run ending there found in one training stream."""
        tracker, out = CopyTracker(self.sam), []
        for x in stream:
            tracker.feed(self.ids.get(x, -1))  # an item no training stream has ends the run
            out.append(tracker.run)
        return out

    def longest(self, stream: list) -> int:
        return max(self.runs(stream), default=0)

    def source(self, stream: list) -> tuple[int, int]:
        """(the longest run, the first training stream holding it) -- what max(range(len(training)),
        key=lambda j: longest_common_run(stream, training[j])) picks, by a string search for the passages
        of that length the automaton found; (0, 0) when nothing is copied, (0, -1) without training."""
        runs = self.runs(stream)
        best = max(runs, default=0)
        if not best or not self.training:
            return 0, (0 if self.training else -1)
        if self._text is None:
            self._text = [self._code(t) for t in self.training]
        passages = {self._code(stream[i - best + 1:i + 1]) for i, r in enumerate(runs) if r == best}
        return best, next(j for j, text in enumerate(self._text) if any(p in text for p in passages))

    def _code(self, items: list) -> str:
        return "".join(chr(0x100 + self.ids[x]) for x in items)


def longest_copies(streams: list[list], training: list[list]) -> list[int]:
    """For each of `streams`, the longest run of consecutive items found verbatim in any one
    training stream -- longest_common_run against all of them at once (CopyIndex)."""
    index = CopyIndex(training)
    return [index.longest(s) for s in streams]


def longest_copy_tokens(tokens: list[str], training: list[list[str]]) -> int:
    """Longest run of grammar values copied verbatim from any training stream."""
    return max((longest_common_run(tokens, t) for t in training), default=0)


def ngrams(seq: list, n: int = 4) -> set:
    return {tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)}


def ngram_overlap(streams: list[list], n: int = 4) -> float:
    """Mean over ordered pairs (a, b) of the share of a's distinct n-grams that also
    occur in b: 0 = all different, 1 = the same phrases (diversity among N solos)."""
    grams = [ngrams(s, n) for s in streams]
    vals = [len(ga & gb) / len(ga) for i, ga in enumerate(grams) for j, gb in enumerate(grams) if i != j and ga]
    return float(np.mean(vals)) if vals else 0.0


# --- voice-leading and harmony timing ------------------------------------------------
def approach_resolution(notes: list[Note], chords: list[Chord]) -> float:
    """Share of approach tones (A: a semitone from a chord tone, not in the scale) that
    move by a semitone to a chord tone within the next two notes (0 when there are none)."""
    hits, total = 0, 0
    at = beat_finder(chords)
    for k, n in enumerate(notes[:-1]):
        if tone_type(n.pitch, at(n.start)) != "A":
            continue
        total += 1
        hits += any(abs(m.pitch - n.pitch) == 1 and m.pitch % 12 in at(m.start).pcs
                    for m in notes[k + 1:k + 3])
    return hits / total if total else 0.0


def _note_at_change(notes: list[Note], c: Chord) -> Note | None:
    """The note sounding when chord c begins, else the first one starting in its first beat."""
    for n in notes:
        if n.start <= c.start + 1e-9 < n.end - 1e-9 or c.start - 1e-9 <= n.start < min(c.end, c.start + 1.0):
            return n
        if n.start >= c.start + 1.0:
            return None
    return None


def changes_hit(notes: list[Note], chords: list[Chord]) -> tuple[float, float]:
    """(chord tone at the change, guide tone at the change): over the chord changes that
    have a note (see _note_at_change), the share where it is a tone of the new chord, and
    where it is the new chord's third or seventh."""
    chord_hits, guide_hits, total = 0, 0, 0
    for prev, c in zip(chords, chords[1:]):
        if prev.symbol == c.symbol:
            continue
        n = _note_at_change(notes, c)
        if n is None:
            continue
        total += 1
        iv = (n.pitch - c.root) % 12
        chord_hits += n.pitch % 12 in c.pcs
        guide_hits += n.pitch % 12 in c.pcs and iv in (3, 4, 10, 11)
    return (chord_hits / total, guide_hits / total) if total else (0.0, 0.0)


def beat_chord_tones(notes: list[Note], chords: list[Chord], beats_per_bar: float = 4.0) -> tuple[float, float]:
    """(chord-tone share of notes starting on a strong beat -- 1 and 3 of a 4/4 bar, every
    other beat in other metres --, chord-tone share of all other notes)."""
    strong, weak = [0, 0], [0, 0]
    at = beat_finder(chords)
    for n in notes:
        beat = n.start % beats_per_bar
        on_strong = abs(beat - round(beat)) < 1e-6 and int(round(beat)) % 2 == 0
        bucket = strong if on_strong else weak
        bucket[0] += n.pitch % 12 in at(n.start).pcs
        bucket[1] += 1
    return (strong[0] / strong[1] if strong[1] else 0.0, weak[0] / weak[1] if weak[1] else 0.0)


def rhythm_shares(notes: list[Note]) -> tuple[float, float]:
    """(share of inter-onset intervals that are an eighth (1/2 beat), share that are a triplet eighth (1/3 beat))."""
    iois = [to_steps(b.start - a.start) for a, b in zip(notes, notes[1:])]
    if not iois:
        return 0.0, 0.0
    return sum(i == 6 for i in iois) / len(iois), sum(i == 4 for i in iois) / len(iois)


def phrases(notes: list[Note], gap: float = 1.0) -> tuple[float, float]:
    """(mean phrase length in notes, mean rest between phrases in beats): a phrase ends where
    the line is silent for `gap` beats or more."""
    if not notes:
        return 0.0, 0.0
    lengths, rests, run = [], [], 1
    for a, b in zip(notes, notes[1:]):
        silence = b.start - a.end
        if silence >= gap - 1e-9:
            lengths.append(run)
            rests.append(silence)
            run = 1
        else:
            run += 1
    lengths.append(run)
    return float(np.mean(lengths)), float(np.mean(rests)) if rests else 0.0


def syncopation(notes: list[Note]) -> float:
    """Share of notes that start off the beat and are held over the next beat."""
    if not notes:
        return 0.0
    hits = sum(abs(n.start - round(n.start)) > 1e-6 and n.end > math.floor(n.start) + 1 + 1e-6 for n in notes)
    return hits / len(notes)


def self_repetition(notes: list[Note], k: int = 4) -> float:
    """Share of the solo's k-note shapes (its k - 1 intervals in semitones and k - 1 inter-onset intervals
    in grid steps, so transposed the same) that come again elsewhere in the solo -- a motif restated or
    sequenced, a lick played twice.  Ties merged; 0.0 for fewer than k notes."""
    notes = merge_ties(notes)
    shapes = [tuple((b.pitch - a.pitch, to_steps(b.start - a.start)) for a, b in zip(w, w[1:]))
              for w in zip(*(notes[i:] for i in range(k)))]
    if not shapes:
        return 0.0
    seen = Counter(shapes)
    return sum(seen[s] > 1 for s in shapes) / len(shapes)


def summary(notes: list[Note], chords: list[Chord], beats_per_bar: float, n_bars: int) -> dict:
    """The per-solo metrics the report shows (shares in 0..1)."""
    notes = merge_ties(notes)
    shares, dshares = tone_shares(notes, chords), tone_shares(notes, chords, "duration")
    at_change, guide = changes_hit(notes, chords)
    strong, weak = beat_chord_tones(notes, chords, beats_per_bar)
    eighths, triplets = rhythm_shares(notes)
    phrase_len, phrase_rest = phrases(notes)
    return {
        "approach_resolution": approach_resolution(notes, chords), "chord_tone_at_change": at_change,
        "guide_tone_at_change": guide, "strong_beat_chord_tones": strong, "weak_beat_chord_tones": weak,
        "eighth_iois": eighths, "triplet_iois": triplets, "phrase_notes": phrase_len, "phrase_rest_beats": phrase_rest,
        "syncopation": syncopation(notes),
        "chord_tones": shares["C"], "scale_tones": shares["S"], "approach_tones": shares["A"], "other_tones": shares["X"],
        "chord_tones_time": dshares["C"], "scale_tones_time": dshares["S"],
        "H1": pitch_class_entropy(notes, beats_per_bar, 1), "H4": pitch_class_entropy(notes, beats_per_bar, 4),
        "GS": grooving_similarity(notes, beats_per_bar, n_bars), "pitch_range": pitch_range(notes),
        "mean_abs_interval": mean_abs_interval(notes), "notes_per_bar": note_density(notes, n_bars),
        "empty_beats": empty_beat_rate(notes, int(round(n_bars * beats_per_bar))),
    }


