import random

from hypothesis import given, settings
from hypothesis import strategies as st

from jazz_lstm.core.charts import parse_chart
from jazz_lstm.core.music import GRID, Note, Solo, to_steps
from jazz_lstm.grammar import codec as grammar

CHART = parse_chart("Dm7 G7 | Cmaj7 | Bm7b5 E7b9 | Am6 | F7 | Bb7 | Ebmaj7 | Abdim7 |")


@st.composite
def melodies(draw):
    """Monophonic melodies on the 1/12-beat grid, none crossing a bar line, gaps > LEGATO or 0."""
    notes, pos = [], draw(st.integers(0, 8)) * 6
    for _ in range(draw(st.integers(1, 24))):
        bar_end = (pos // 48 + 1) * 48
        dur = draw(st.sampled_from([2, 3, 4, 6, 8, 9, 12, 16, 18, 24, 36, 48]))
        dur = min(dur, bar_end - pos)
        notes.append(Note(draw(st.integers(50, 84)), pos / GRID, dur / GRID))
        pos += dur
        if draw(st.booleans()):
            pos += draw(st.sampled_from([4, 6, 12, 24]))
        if pos >= 8 * 48:
            break
    return notes


def _solo(notes):
    return Solo(notes, CHART)


@settings(max_examples=150, deadline=None)
@given(melodies(), st.integers(0, 10**6))
def test_rhythm_survives_exactly(notes, seed):
    solo = _solo(notes)
    first_bar, _ = grammar.events(solo)
    out = grammar.decode(grammar.encode(solo), CHART, None, seed, first_bar * 4.0, 4.0)
    assert [(to_steps(n.start), to_steps(n.duration)) for n in out] == \
           [(to_steps(n.start), to_steps(n.duration)) for n in notes]


@settings(max_examples=100, deadline=None)
@given(melodies(), st.integers(0, 10**6))
def test_types_agree_and_intervals_stay_in_window(notes, seed):
    solo = _solo(notes)
    first_bar, _ = grammar.events(solo)
    tokens = grammar.encode(solo)
    out = grammar.decode(tokens, CHART, None, seed, first_bar * 4.0, 4.0, low=36, high=96)
    terms = [grammar.parse_token(t) for t in tokens if not t.startswith("R")]
    prev = None
    for n, term in zip(out, terms):
        chord = solo.chord_at(n.start)
        from jazz_lstm.core.harmony import tone_type

        if term.type == "T":
            assert n.pitch == prev
        else:
            assert tone_type(n.pitch, chord) == term.type
        if prev is not None and term.window:
            lo, hi = prev + term.window[0], prev + term.window[1]
            possible = [p for p in range(max(lo, 36), min(hi, 96) + 1) if tone_type(p, chord) == term.type]
            if possible:  # the window (within the register) holds a pitch of this type: stay inside
                assert lo <= n.pitch <= hi
        prev = n.pitch


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["C", "S", "A", "X", "R", "T"]), min_size=1, max_size=40),
       st.lists(st.sampled_from([1, 2, 3, 4, 6, 8, 12, 18, 24, 48, 60]), min_size=40, max_size=40),
       st.integers(0, 1000))
def test_decode_never_crosses_bar_or_overlaps(types, durs, seed):
    tokens = [f"{t},{d / 12:.3f}" + ("" if t in "RT" else ",<-2,4>") for t, d in zip(types, durs)]
    notes = grammar.decode(tokens, CHART, 64, random.Random(seed))
    for a, b in zip(notes, notes[1:]):
        assert a.end <= b.start + 1e-9
    for n in notes:
        bar = int(n.start // 4)
        assert n.end <= (bar + 1) * 4 + 1e-9


def test_encode_splits_at_bar_lines_and_caps_rests():
    solo = _solo([Note(60, 3.0, 2.0), Note(62, 17.0, 1.0)])
    tokens = grammar.encode(solo)
    # 3 beats rest, C over G7 (scale tone) to the bar line, then tied over into bar 2, rests
    assert tokens[:3] == ["R,3.000", "S,1.000", "T,1.000"]
    assert tokens[3:7] == ["R,3.000", "R,4.000", "R,4.000", "R,1.000"]  # split at bar lines
    assert "R,4.000" in tokens and all(grammar.parse_token(t).steps <= 48 for t in tokens)
    first_bar, evs = grammar.events(solo)
    assert first_bar == 0 and sum(s for _, s, _, _ in evs) % 48 == 0
    notes = grammar.decode(tokens, CHART, None, 0)
    assert notes[0].pitch == notes[1].pitch and (notes[0].end, notes[1].start) == (4.0, 4.0)  # a tie keeps the pitch
    assert notes[1].tie and not notes[0].tie
    from jazz_lstm.core.music import merge_ties

    assert [(n.start, n.duration) for n in merge_ties(notes)][0] == (3.0, 2.0)  # and sounds as one note


def test_token_format_round_trip():
    t = grammar.parse_token("A,0.333,<-4,2>")
    assert (t.type, t.steps, t.window) == ("A", 4, (-4, 2))
    assert str(t) == "A,0.333,<-4,2>"


def test_roundtrip_report_on_lick(small_midi):
    from jazz_lstm.io.formats import read_tune

    rt = grammar.roundtrip(read_tune(small_midi))
    assert rt["onset"] == rt["duration"] == rt["type"] == 1.0
    assert 0 <= rt["pitch_class"] <= 1
