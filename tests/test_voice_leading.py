"""Voice-leading and timing metrics, each against a hand-computed example; the baselines."""
import random

import pytest

from jazz_lstm.core.harmony import parse_chord
from jazz_lstm.core.music import Note
from jazz_lstm.eval import metrics as M
from jazz_lstm.eval.baselines import NgramBaseline, fill_bars, shuffle_values
from jazz_lstm.grammar.features import DUR_MAX, N_INT, TYPES, unfactorize

C7 = [parse_chord("C7", 0, 4)]
II_V = [parse_chord("Dm7", 0, 4), parse_chord("G7", 4, 4), parse_chord("Cmaj7", 8, 4)]


def notes(*triples):
    return [Note(p, s, d) for p, s, d in triples]


def test_approach_resolution():
    # over C7: F# (66) is an approach tone (a semitone from G); it resolves to G (67) two notes later.
    # B (71) is an approach tone (next to Bb and C) followed by D and E: no semitone to a chord tone.
    line = notes((66, 0, 0.5), (64, 0.5, 0.5), (67, 1, 0.5), (71, 1.5, 0.5), (62, 2, 0.5), (64, 2.5, 0.5))
    assert M.approach_resolution(line, C7) == pytest.approx(1 / 2)
    assert M.approach_resolution(notes((60, 0, 1)), C7) == 0.0


def test_changes_hit():
    # change to G7 at beat 4: B (71) sounds from 3.5 -> chord tone and guide tone (3rd);
    # change to Cmaj7 at 8: first note in its first beat is D (74) at 8.5 -> neither.
    line = notes((62, 0, 2), (71, 3.5, 1), (74, 8.5, 1))
    assert M.changes_hit(line, II_V) == (pytest.approx(1 / 2), pytest.approx(1 / 2))
    # the root on the change: a chord tone, not a guide tone
    assert M.changes_hit(notes((67, 4, 1), (60, 8, 1)), II_V) == (1.0, 0.0)


def test_beat_chord_tones():
    # beats 1 and 3 (0 and 2): C (chord tone) and D (not); beat 2 and the "and" of 1: E and E.
    line = notes((60, 0, 0.5), (64, 0.5, 0.5), (64, 1, 1), (62, 2, 2))
    assert M.beat_chord_tones(line, C7) == (pytest.approx(0.5), pytest.approx(1.0))


def test_rhythm_phrases_syncopation():
    line = notes((60, 0, 0.5), (62, 0.5, 0.5), (64, 1, 1 / 3), (65, 4 / 3, 1 / 3), (67, 5 / 3, 1.3),
                 (69, 4.5, 1.0), (70, 7.5, 0.5))
    eighth, triplet = M.rhythm_shares(line)
    assert (eighth, triplet) == (pytest.approx(2 / 6), pytest.approx(2 / 6))  # IOIs 1/2 1/2 1/3 1/3 2.83 3
    # phrases: 5 notes, silence 1.53 beats, then 1 note, silence 2 beats, then 1 note
    length, rest = M.phrases(line)
    assert length == pytest.approx(7 / 3) and rest == pytest.approx((4.5 - 2.9667 + 2.0) / 2, abs=1e-3)
    # syncopated: 67 starts at 5/3 (off the beat) and is held past beat 2; 69 at 4.5 held past 5
    assert M.syncopation(line) == pytest.approx(2 / 7)


def test_summary_merges_ties():
    tied = [Note(60, 0, 2), Note(60, 2, 2, tie=True), Note(64, 4, 4)]
    s = M.summary(tied, [parse_chord("C", 0, 8)], 4.0, 2)
    assert s["notes_per_bar"] == 1.0  # two notes in two bars: the tie is no note


@pytest.fixture
def streams():
    return [["C,1.000", "S,1.000,<-1,5>", "C,2.000,<-5,1>", "R,4.000"], ["C,1.000", "A,1.000,<-2,4>", "C,2.000,<-4,2>"]]


@pytest.mark.parametrize("order", [1, 2])
def test_ngram_sums_to_one_over_the_legal_values(streams, order):
    base = NgramBaseline(streams, order)
    legal = (3, 1, 0)  # 3 steps left, a previous pitch, no tie
    space = [unfactorize(t, d, i) for t in range(len(TYPES)) for d in range(3) for i in range(N_INT)
             if TYPES[t] != "T" and ((i > 0) == (TYPES[t] in "CSAX"))]
    for prev in (None, "C,1.000"):
        assert sum(base.prob(v, prev, legal) for v in space) == pytest.approx(1.0, abs=1e-9)
    if order == 2:  # after C,2.000 the training streams had R,4.000: likelier than on its own
        assert base.prob("R,4.000", "C,2.000,<-5,1>", (48, 1, 0)) > base.prob("R,4.000", None, (48, 1, 0))


def test_ngram_unseen_values_have_probability(streams):
    base = NgramBaseline(streams, 2)
    p = base.prob(unfactorize(3, DUR_MAX - 1, 1), "C,1.000", (DUR_MAX, 1, 0))
    assert 0 < p < 1e-3
    total, n = base.nll(["C,1.000", "X,0.250,<10,16>"])
    assert n == 2 and total > 0


def test_baseline_solos_fill_bars(streams):
    rng = random.Random(0)
    for tokens in (shuffle_values(streams, 4, 48, rng),
                   fill_bars(lambda prev, legal: NgramBaseline(streams, 2).sample(prev, legal, rng), 4, 48)):
        from jazz_lstm.grammar.codec import parse_token

        assert sum(parse_token(v).steps for v in tokens) == 4 * 48


def test_value_shapes_match_the_notes_they_describe():
    """Values -> (interval, duration) of each note after the first, ties merged, rests silent."""
    tokens = ["C,1.000", "S,0.500,<-1,5>", "T,0.500", "R,1.000", "A,1.000,<-4,2>", "C,2.000,<-2,4>"]
    assert M.value_shapes(tokens) == [(2, 12), (-1, 12), (1, 24)]
    # the same line as Notes gives the same events
    line = notes((60, 0, 1), (62, 1, 1), (61, 3, 1), (62, 4, 2))
    assert M.note_events(line) == M.value_shapes(tokens)
    copied, source = M.longest_copy_values_as_notes(tokens, [["X,0.250", "S,0.500,<-1,5>", "T,0.500", "A,1.000,<-4,2>"]])
    assert (copied, source) == (3, 0)  # two events match: 3 notes with the one they start from
