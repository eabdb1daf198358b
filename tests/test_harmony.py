import pytest

from jazz_lstm.core.charts import chart_bars, format_chart, parse_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.harmony import chords_from_profile, parse_chord, profile, tone_type
from jazz_lstm.core.music import Chord, Note


@pytest.mark.parametrize("symbol,root,pcs", [
    ("Dm7", 2, {2, 5, 9, 0}), ("G7", 7, {7, 11, 2, 5}), ("Cmaj7", 0, {0, 4, 7, 11}), ("CΔ7", 0, {0, 4, 7, 11}),
    ("Bbmaj7", 10, {10, 2, 5, 9}), ("F#m7b5", 6, {6, 9, 0, 4}), ("Bø", 11, {11, 2, 5, 9}),
    ("Ebdim7", 3, {3, 6, 9, 0}), ("A7b9", 9, {9, 1, 4, 7, 10}), ("C-7", 0, {0, 3, 7, 10}),
    ("C", 0, {0, 4, 7}), ("Am", 9, {9, 0, 4}), ("Gsus4", 7, {7, 0, 2}), ("C6", 0, {0, 4, 7, 9}),
    ("C/G", 0, {0, 4, 7}), ("Db7#11", 1, {1, 5, 8, 11, 7}),
])
def test_parse_chord(symbol, root, pcs):
    c = parse_chord(symbol)
    assert c.root == root and set(c.pcs) == pcs


@pytest.mark.parametrize("bad", ["H7", "Cxyz", "", "7", "C/Q"])
def test_unknown_chord_symbol(bad):
    with pytest.raises(JazzError, match="chord symbol"):
        parse_chord(bad)


def test_tone_types_hand_computed():
    c7 = parse_chord("C7")  # chord C E G Bb, mixolydian adds D F A
    assert [tone_type(p, c7) for p in (60, 64, 67, 70)] == ["C"] * 4
    assert [tone_type(p, c7) for p in (62, 65, 69)] == ["S"] * 3
    assert [tone_type(p, c7) for p in (61, 63, 66, 68, 71)] == ["A"] * 5  # Db Eb Gb Ab B: a semitone off
    c = parse_chord("C")  # triad + ionian: Bb is two semitones from every chord tone -> X
    assert tone_type(70, c) == "X"


def test_chord_validation():
    with pytest.raises(ValueError):
        Chord("?", 0, frozenset({1, 4}), frozenset())
    with pytest.raises(ValueError):
        Note(130, 0, 1)
    with pytest.raises(ValueError):
        Note(60, 0, 0)


def _block(pitches, start, dur=2.0):
    return [Note(p, start, dur) for p in pitches]


def infer_chords(notes, length, segment=2.0):
    """What read_tune does with a file's accompaniment: a pitch-class profile per segment, matched to chords."""
    w, bass = profile([n.start for n in notes], [n.end for n in notes], [n.pitch for n in notes], length, segment)
    return chords_from_profile(w, bass, length, segment)


def test_infer_chords_from_block_chords():
    notes = (_block([50, 53, 57, 60], 0) + _block([43, 47, 50, 53], 2) + _block([48, 52, 55, 59], 4)
             + _block([48, 52, 55, 59], 6) + _block([47, 50, 53, 57], 8) + _block([45, 48, 52], 10))
    chords = infer_chords(notes, 12.0, 2.0)
    assert [c.symbol for c in chords] == ["Dm7", "G7", "Cmaj7", "Bm7b5", "Am"]
    assert [c.start for c in chords] == [0, 2, 4, 8, 10]
    assert chords[2].duration == 4.0  # merged


def test_infer_chords_empty():
    assert infer_chords([], 8.0) == []


def test_chart_parse_repeat_and_hold():
    ch = parse_chart("Dm7 G7 | Cmaj7 % | % | A7b9 / / Bb7 |")
    assert [(c.symbol, c.start, c.duration) for c in ch] == [
        ("Dm7", 0, 2), ("G7", 2, 2), ("Cmaj7", 4, 4), ("Cmaj7", 8, 4), ("A7b9", 12, 3), ("Bb7", 15, 1)]


def test_chart_round_trip():
    text = "Dm7 G7 | Cmaj7 | Fm7 / / Bb7 | Ebmaj7 |"
    ch = parse_chart(text)
    assert chart_bars(ch) == ["Dm7 G7", "Cmaj7", "Fm7 / / Bb7", "Ebmaj7"]
    again = parse_chart(format_chart(ch))
    assert [(c.symbol, c.start, c.duration) for c in again] == [(c.symbol, c.start, c.duration) for c in ch]


def test_chart_errors():
    with pytest.raises(JazzError, match="bar 2"):
        parse_chart("C | Hm7 |")
    with pytest.raises(JazzError, match="empty"):
        parse_chart("  |  ")


def test_chart_sharps_are_not_comments():
    ch = parse_chart("# a comment line\nF#m7b5 B7b9 | C#7 # trailing comment\n| Em7 |")
    assert [c.symbol for c in ch] == ["F#m7b5", "B7b9", "C#7", "Em7"]  # spelled as written
    assert [c.root for c in ch] == [6, 11, 1, 4]


def test_the_bass_plays_a_slash_chords_bass_note():
    """F/G: the walking bass starts the bar on G (the root F before); the approach into the next chord
    aims at its bass note; a plain chord, a 6/9 and a polychord's lower root as written."""
    from jazz_lstm.core.arrangement import accompaniment
    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.harmony import bass_note, parse_chord

    assert [bass_note(parse_chord(s)) for s in ("F/G", "C/E", "Bb7", "C6/9", "Dm7/Bb7")] == [7, 4, 10, 0, 10]
    _, bass = accompaniment(parse_chart("F/G | C/E | C |"))
    firsts = {start: p % 12 for p, start, _, _ in bass if start in (0.0, 4.0, 8.0)}
    assert firsts == {0.0: 7, 4.0: 4, 8.0: 0}
    approach = [p for p, start, _, _ in bass if start == 3.0][0]
    assert approach % 12 in (3, 5)  # a semitone off E, the next bar's bass note
