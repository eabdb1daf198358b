import pytest
from conftest import LICK, comping, write_midi

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Note
from jazz_lstm.grammar import codec as grammar
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.melody import top_voice


def test_picks_the_lick_and_infers_changes(small_midi):
    solo = read_tune(small_midi)
    assert solo.melody_track == "1: Sax"
    assert [n.pitch for n in solo.notes] == [p for p, _, _ in LICK]
    assert [c.symbol for c in solo.chords] == ["Dm7", "G7", "Cmaj7", "A7"]
    assert solo.chord_origin == "inferred" and solo.tempo == pytest.approx(100)


def test_melody_override_by_number_and_name(small_midi):
    assert read_tune(small_midi, "2").melody_track == "2: Bass"
    assert read_tune(small_midi, "bass").melody_track == "2: Bass"
    with pytest.raises(JazzError, match="out of range"):
        read_tune(small_midi, "9")
    with pytest.raises(JazzError, match="no track named"):
        read_tune(small_midi, "tuba")
    with pytest.raises(JazzError, match="no pitched notes"):
        read_tune(small_midi, "3")


def test_polyphonic_lead_reduced_to_top_voice():
    notes = [Note(60, 0, 1), Note(64, 0, 1), Note(67, 0.5, 1), Note(55, 1.0, 1)]
    top = top_voice(notes)
    assert [(n.pitch, n.start, n.duration) for n in top] == [(64, 0, 0.5), (67, 0.5, 0.5), (55, 1.0, 1)]


def test_single_track_infers_chords_from_melody(tmp_path):
    path = write_midi(tmp_path / "solo.mid", [("Lead", 0, False, LICK)])
    solo = read_tune(path)
    assert solo.chord_origin == "melody" and solo.chords


def test_musicxml_with_chord_symbols(tmp_path):
    import music21 as m21

    s = m21.stream.Score()
    p = m21.stream.Part()
    for i, (sym, pitches) in enumerate([("Dm7", "D5 F5 A5 C6"), ("G7", "B4 D5 F5 G5"), ("Cmaj7", "E5 G5 B5 C6")]):
        m = m21.stream.Measure(number=i + 1)
        m.insert(0, m21.harmony.ChordSymbol(sym))
        for name in pitches.split():
            m.append(m21.note.Note(name, quarterLength=1.0))
        p.append(m)
    s.insert(0, p)
    path = str(tmp_path / "t.musicxml")
    s.write("musicxml", fp=path)
    solo = read_tune(path)
    assert [c.symbol for c in solo.chords] == ["Dm7", "G7", "Cmaj7"]
    assert solo.chord_origin == "symbols" and len(solo.notes) == 12
    assert grammar.roundtrip(solo)["type"] == 1.0


def test_abc(tmp_path):
    path = tmp_path / "t.abc"
    path.write_text('X:1\nT:t\nM:4/4\nL:1/8\nK:C\n"C"CDEF GABc|"G7"BAGF EDCB,|"C"C8|\n')
    solo = read_tune(str(path))
    assert len(solo.notes) == 17 and [c.symbol for c in solo.chords] == ["C", "G7", "C"]


def _bad(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_bad_inputs(tmp_path, small_midi):
    cases = [
        (_bad(tmp_path, "x.mid", b"this is not a midi file at all"), "not a readable MIDI"),
        (_bad(tmp_path, "e.mid", b""), "empty"),
        (_bad(tmp_path, "t.mid", open(small_midi, "rb").read()[:60]), "not a readable MIDI"),
        (write_midi(tmp_path / "d.mid", [("Drums", 0, True, [(36, i, 0.5) for i in range(8)])]), "drums only"),
        (write_midi(tmp_path / "n.mid", [("Empty", 0, False, [])]), "no notes"),
        (_bad(tmp_path, "p.musicxml", b"<?xml version='1.0'?><score-partwise version='3.1'><part-list/></score-partwise>"),
         "no parts|cannot parse"),
        (str(tmp_path / "missing.mid"), "no such file"),
        (_bad(tmp_path, "a.txt", b"hello"), "unknown file type"),
    ]
    for path, msg in cases:
        with pytest.raises(JazzError, match=msg) as e:
            read_tune(path)
        assert e.value.source == path


def test_metheny_picks_guitar_unaided(metheny):
    solo = read_tune(metheny)
    assert solo.melody_track == "5: Guitar"  # the old code's hard-coded part 5
    assert solo.chord_origin == "inferred" and len(solo.chords) > 100
    rt = grammar.roundtrip(solo)
    assert rt["onset"] == rt["duration"] == rt["type"] == 1.0


def test_comping_helper_is_sane():
    assert len(comping()) == 16


def test_musicxml_chord_alterations_and_offsets(tmp_path):
    """<degree> alterations survive (C7b9, A7#9) and a <harmony> with an <offset> lands on its beat."""
    note = '<note><pitch><step>{}</step><octave>4</octave></pitch><duration>1</duration><type>quarter</type></note>'
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1"><part-list><score-part id="P1"><part-name>Sax</part-name></score-part></part-list>
<part id="P1"><measure number="1"><attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>
<harmony><root><root-step>C</root-step></root><kind>dominant</kind><degree><degree-value>9</degree-value><degree-alter>-1</degree-alter><degree-type>add</degree-type></degree></harmony>
{note.format('E')}{note.format('E')}
<harmony><root><root-step>A</root-step></root><kind>dominant</kind><degree><degree-value>9</degree-value><degree-alter>1</degree-alter><degree-type>add</degree-type></degree><offset>-1</offset></harmony>
{note.format('G')}{note.format('G')}</measure></part></score-partwise>"""
    path = tmp_path / "alt.musicxml"
    path.write_text(xml)
    tune = read_tune(str(path))
    assert [(c.symbol, c.start) for c in tune.chords] == [("C7b9", 0.0), ("A7#9", 1.0)]
    assert 1 in tune.chords[0].pcs and 0 in tune.chords[1].pcs  # Db over C; B# (C) over A


def test_unison_double_is_not_accompaniment(tmp_path):
    """A second instrument doubling the melody an octave down does not count as harmony."""
    from conftest import LICK

    double = [(p - 12, s, d) for p, s, d in LICK]
    path = write_midi(tmp_path / "dbl.mid", [("Sax", 65, False, LICK), ("Trombone", 57, False, double)])
    tune = read_tune(path)
    assert tune.chord_origin == "melody"  # nothing but the doubled line: guessed from the melody, not "inferred"
