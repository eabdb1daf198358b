"""Each metric against a small example computed by hand."""
import math

import pytest

from jazz_lstm.core.charts import parse_chart
from jazz_lstm.core.music import Note
from jazz_lstm.eval import metrics as M

C7 = parse_chart("C7 | F7 |")  # bar 1: C E G Bb (+ D F A), bar 2: F A C Eb (+ G Bb D)


def test_tone_shares():
    notes = [Note(60, 0, 1), Note(62, 1, 1), Note(61, 2, 2), Note(64, 4, 1)]  # C (C), D (S), Db (A), E over F7 (A)
    assert M.tone_shares(notes, C7) == {"C": 0.25, "S": 0.25, "A": 0.5, "X": 0.0}
    assert M.tone_shares(notes, C7, "duration") == {"C": 0.2, "S": 0.2, "A": 0.6, "X": 0.0}


def test_pitch_class_entropy():
    bar1 = [Note(60, 0, 1), Note(64, 1, 1), Note(67, 2, 1), Note(72, 3, 1)]  # C E G C: p = 1/2, 1/4, 1/4 -> 1.5 bits
    bar2 = [Note(60, 4, 2), Note(62, 6, 2)]  # two classes: 1 bit
    assert M.pitch_class_entropy(bar1 + bar2, 4.0, 1) == pytest.approx(1.25)
    # one 4-bar window: C x3, E, G, D -> p = 1/2, 1/6, 1/6, 1/6
    assert M.pitch_class_entropy(bar1 + bar2, 4.0, 4) == pytest.approx(-(0.5 * math.log2(0.5) + 3 * (1 / 6) * math.log2(1 / 6)))


def test_grooving_similarity():
    a = [Note(60, b, 1) for b in range(4)]  # onsets on every beat: steps 0, 12, 24, 36
    b = [Note(60, 4 + b, 1) for b in (0, 2)]  # onsets on beats 1 and 3 of bar 2
    # positions with exactly one onset: 12 and 36 -> 1 - 2/48
    assert M.grooving_similarity(a + b, 4.0, 2) == pytest.approx(1 - 2 / 48)
    assert M.grooving_similarity(a + [Note(60, 4 + x, 1) for x in range(4)], 4.0, 2) == 1.0


def test_range_interval_density_empty_beats():
    notes = [Note(60, 0, 1), Note(67, 1, 1), Note(64, 2, 0.5), Note(72, 4, 1)]
    assert M.pitch_range(notes) == 12
    assert M.mean_abs_interval(notes) == pytest.approx((7 + 3 + 8) / 3)
    assert M.note_density(notes, 2) == 2.0
    assert M.empty_beat_rate(notes, 8) == pytest.approx(4 / 8)  # beats 3, 5, 6, 7 are silent


def test_longest_copies():
    train = [Note(60, 0, 1), Note(62, 1, 1), Note(64, 2, 1), Note(65, 3, 1), Note(67, 4, 2)]
    # transposed copy of the first 4 notes (same intervals and durations), then a different step
    gen = [Note(70, 0, 1), Note(72, 1, 1), Note(74, 2, 1), Note(75, 3, 1), Note(70, 4, 2)]
    assert M.longest_copy_notes(gen, [train]) == 4
    assert M.longest_copy_tokens(list("xabcdy"), [list("zzabcdq"), list("abq")]) == 4
    assert M.longest_common_run([1, 2, 3], [4, 5]) == 0


def test_ngram_overlap():
    a, b = list("abcdef"), list("abcdxy")  # 4-grams: a has abcd bcde cdef; b has abcd bcdx cdxy
    assert M.ngram_overlap([a, b]) == pytest.approx(1 / 3)
    assert M.ngram_overlap([a, a]) == 1.0


def test_suffix_automaton_tracks_longest_copy():
    from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton

    sam = SuffixAutomaton([[1, 2, 3, 4, 5], [7, 8, 9]])
    t = CopyTracker(sam)
    runs = []
    for x in [9, 1, 2, 3, 7, 8, 9, 1, 5]:
        t.feed(x)
        runs.append(t.run)
    assert runs == [1, 1, 2, 3, 1, 2, 3, 1, 1]  # '9 1' never occurs (streams are kept apart)
    t = CopyTracker(sam)
    for x in [1, 2]:
        t.feed(x)
    assert t.banned(2) == [3] and t.banned(3) == []


def test_longest_copies_agree_with_the_pairwise_search():
    import random

    from jazz_lstm.eval import metrics as M

    rng = random.Random(3)
    training = [[rng.choice("abcd") for _ in range(rng.randint(0, 40))] for _ in range(6)]
    mine = [[rng.choice("abcde") for _ in range(rng.randint(0, 30))] for _ in range(20)] + [training[2][5:17] + ["z"]]
    assert M.longest_copies(mine, training) == [M.longest_copy_tokens(s, training) for s in mine]
    assert M.longest_copies([["x", "a", "b"]], [["a", "b"], ["b", "c"]]) == [2]  # a run never joins two streams
    assert M.longest_copies([["a", "b", "c"]], [["a", "b"], ["c"]]) == [2]
    index = M.CopyIndex(training)  # and which stream holds it: the first the pairwise search finds
    for s in mine:
        runs = [M.longest_common_run(s, t) for t in training]
        assert index.source(s) == (max(runs), runs.index(max(runs)))
    assert M.CopyIndex([["a", "b"], ["c", "a", "b"]]).source(["c", "a", "b"]) == (3, 1)
    assert M.CopyIndex([]).source(["a"]) == (0, -1)


def test_self_repetition_by_hand():
    """C D E F, then the same shape a fourth up (F G A Bb) a bar later, then a leap: windows of 4 notes
    (3 intervals + 3 onset gaps) -- 6 of them; C D E F and F G A Bb share (2,2,1 semitones; 6,6,6 steps):
    2 of 6 recur.  Ties merge first (a tied F is one F); under 4 notes: 0."""
    from jazz_lstm.eval.metrics import self_repetition

    eighths = [Note(p, 0.5 * i, 0.5) for i, p in enumerate([60, 62, 64, 65])]
    up = [Note(p, 4 + 0.5 * i, 0.5) for i, p in enumerate([65, 67, 69, 70])]
    line = eighths + up + [Note(80, 6.0, 1.0)]
    assert self_repetition(line) == pytest.approx(2 / 6)
    tied = eighths[:3] + [Note(65, 1.5, 0.25), Note(65, 1.75, 0.25, 90, True)] + up + [Note(80, 6.0, 1.0)]
    assert self_repetition(tied) == pytest.approx(2 / 6)
    assert self_repetition(line[:3]) == 0.0
    assert self_repetition(eighths + [Note(p, 2 + 0.5 * i, 0.5) for i, p in enumerate([60, 62, 64, 65])]) == 2 / 5
