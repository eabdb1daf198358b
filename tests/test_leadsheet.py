"""Impro-Visor leadsheets: hand-written texts with every token kind, and the shared files."""
import glob
import os

import pytest
from conftest import SHARED, run_cli

from jazz_lstm.core.errors import JazzError
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.leadsheet import chart_chords, duration_beats, parse_leadsheet, parse_note, read_leadsheet_chart

IV = os.path.abspath(os.path.join(SHARED, "impro-visor"))

LS = """(title Test Tune)
(composer Nobody)
(meter 3 4)
(key -2)
(tempo 160.0)
(style swing (swing 0.67) (comp-swing 0.67))
(part
    (type chords)
    (title )
    (roadmap (blocks (chord C7 480)))
)
(section (style swing))
C7b9 / F7#9 | NC | Bb/D G7#5#9 / |
(phrase (style))
FM7#11 | / |
(part
    (type melody)
    (title )
)
c4 e-4 g+8/3 r8/3 bb8/3 | c#+2. | r4 d4.+8 | e8 f8 g8 a8 b8 c+8 | r2.
(part
    (type melody)
)
g2. | r2. | a4 a4 a4 | r2. | c8 c8 c4 r4
"""


@pytest.mark.parametrize("text,beats", [("4", 1.0), ("8", 0.5), ("8/3", 1 / 3), ("4.", 1.5), ("8..", 0.875),
                                        ("2+8", 2.5), ("16/5", 0.2), ("1", 4.0)])
def test_durations(text, beats):
    assert duration_beats(text) == pytest.approx(beats)


@pytest.mark.parametrize("token,pitch,beats", [("c4", 60, 1.0), ("c#+8/3", 73, 1 / 3), ("bb-4.", 58, 1.5),
                                               ("r2+4", None, 3.0), ("e--16", 40, 0.25), ("g", 67, 0.5)])
def test_notes(token, pitch, beats):
    assert parse_note(token) == (pitch, pytest.approx(beats))


@pytest.mark.parametrize("token", ["h4", "c0", "c4/1", "rb4", "c4x"])
def test_bad_notes(token):
    with pytest.raises(ValueError):
        parse_note(token)


def test_header_and_chords():
    ls = parse_leadsheet(LS)
    assert (ls.title, ls.meter, ls.key, ls.tempo) == ("Test Tune", (3, 4), -2, 160.0)
    chords = chart_chords(ls)
    # bar 1: C7b9 two slots (beats 0-2), F7#9 one; bar 2 NC holds F7#9; bar 3: Bb/D, G7#5#9 two slots
    assert [(c.symbol, c.start, c.duration) for c in chords] == [
        ("C7b9", 0.0, 2.0), ("F7#9", 2.0, 4.0), ("Bb/D", 6.0, 1.0), ("G7#5#9", 7.0, 2.0), ("FM7#11", 9.0, 6.0)]
    c7b9, f7s9, _, alt, lyd = chords
    assert 1 in c7b9.pcs and c7b9.quality == "7b9"  # D flat: the b9 is kept
    assert (5 + 3) % 12 in f7s9.pcs  # G sharp / A flat over F7
    assert {3, 10} <= alt.pcs and 2 not in alt.pcs and alt.scale == frozenset((7 + i) % 12 for i in (0, 1, 3, 4, 6, 8, 10))
    assert 11 in lyd.pcs and 11 in lyd.scale  # the #11 of F is B


def test_read_tune_choruses(tmp_path):
    path = tmp_path / "test.ls"
    path.write_text(LS)
    tune = read_tune(str(path))
    assert tune.time_signature == (3, 4) and tune.key == "Bb major" and tune.tempo == 160.0
    assert tune.melody_track.endswith("(2 choruses)")
    # chorus 1: 5 bars of 3/4 = 15 beats; chorus 2 starts at beat 15 over the same chords
    starts = [n.start for n in tune.notes]
    assert starts[:3] == pytest.approx([0.0, 1.0, 2.0])
    assert tune.notes[1].pitch == 52 and tune.notes[2].pitch == 79 and tune.notes[3].pitch == 70
    assert tune.notes[4].duration == pytest.approx(3.0)  # c#+2. (dotted half)
    d = next(n for n in tune.notes if n.pitch == 62)
    assert (d.start, d.duration) == (pytest.approx(7.0), pytest.approx(2.0))  # d4.+8 tied
    second = [n for n in tune.notes if n.start >= 15]
    assert second[0].pitch == 67 and second[0].start == pytest.approx(15.0)
    assert [c.symbol for c in tune.chords if c.start >= 15][:2] == ["C7b9", "F7#9"]


@pytest.mark.parametrize("text,msg", [
    ("(meter 0 4)(part (type melody)) c4", "unsupported meter"),
    ("(key 9)(part (type melody)) c4", "bad key signature"),
    ("(part (type chords)) Xq7 |", "unknown chord symbol"),
    ("(part (type melody)) c4 q8", "not a note"),
    ("(title x", "unbalanced parentheses"),
])
def test_bad_leadsheets_one_line_exit_2(capsys, tmp_path, text, msg):
    path = tmp_path / "bad.ls"
    path.write_text(text)
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert code == 2 and msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_inspect_shows_alterations_and_choruses(capsys, tmp_path):
    path = tmp_path / "test.ls"
    path.write_text(LS)
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert code == 0, err
    assert "C7b9" in out and "G7#5#9" in out and "FM7#11" in out and "2 choruses" in out


def test_chords_from_a_leadsheet_chart(capsys, tmp_path, small_model):
    path = tmp_path / "chart.ls"
    path.write_text("(meter 4 4)\n(part (type chords))\nDm7 G7b9 | CM7 | A7#9 | Dm7 G7 |\n")
    chords, bpb = read_leadsheet_chart(str(path))
    assert [c.symbol for c in chords] == ["Dm7", "G7b9", "Cmaj7", "A7#9", "Dm7", "G7"] and bpb == 4.0
    code, out, err = run_cli(capsys, "generate", "-m", small_model, "--chords", str(path), "-o", str(tmp_path / "o"),
                             "--formats", "none")
    assert code == 0, err
    assert "(4 bars" in out


def _shared(kind):
    files = sorted(glob.glob(os.path.join(IV, kind, "*.ls")))
    if not files:
        pytest.skip(f"../shared/data/impro-visor/{kind} not present")
    return files


def test_every_shared_solo_reads():
    from jazz_lstm.grammar import codec as grammar

    for f in _shared("solos"):
        tune = read_tune(f)
        assert tune.notes and tune.chords and tune.chord_origin == "symbols", f
        assert grammar.roundtrip(tune)["onset"] == 1.0, f


def test_every_shared_chart_reads():
    empty = []
    for f in _shared("charts"):
        try:
            chords, bpb = read_leadsheet_chart(f)
        except JazzError as e:
            assert "has no chords" in str(e), str(e)  # the one kind of refusal: a chart part with nothing in it
            empty.append(f)
            continue
        assert chords and bpb > 0
    assert len(empty) <= 1, empty


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from(["(part (type chords))", "(part (type melody))", "(meter 3 4)", "(meter 0 4)", "(key 12)",
                          "(tempo x)", "(title ", ")", "|", "/", "NC", "Cm7", "G7#5#9", "F\\Eb", "Bass", "X7", "c4",
                          "d#+8/3", "r2+4", "e--16.", "g8/0", "a4+", "bb999", "c+4+8", "%", "(phrase (style))"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40))
def test_any_leadsheet_text_reads_or_says_why(tmp_path_factory, words):
    """Whatever the text, reading it gives a tune or one JazzError -- never another exception."""
    path = tmp_path_factory.mktemp("ls") / "fuzz.ls"
    path.write_text(" ".join(words))
    try:
        tune = read_tune(str(path))
    except JazzError as e:
        assert str(e)
    else:
        assert tune.chords and tune.notes
