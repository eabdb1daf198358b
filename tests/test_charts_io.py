"""Issue #22: every chord renders, Impro-Visor out (read_leadsheet . write_leadsheet keeps the
notes and chords), MusicXML harmony that other programs read as written."""
import glob
import os
from fractions import Fraction

import pytest
from conftest import SHARED, run_cli

from jazz_lstm.core.music import merge_ties
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.leadsheet import duration_beats, duration_text, write_leadsheet

SOLOS = sorted(glob.glob(os.path.join(SHARED, "impro-visor", "solos", "*.ls")))


def notes_of(solo):
    return [(round(n.start * 1e6), round(n.duration * 1e6), n.pitch) for n in merge_ties(solo.notes)]


def chords_of(solo):
    """The harmony at every moment: consecutive equal symbols merged (a bar restating its chord is the same chord)."""
    out = []
    for c in solo.chords:
        s, e = round(c.start * 1e6), round(c.end * 1e6)
        if out and out[-1][0] == c.symbol and out[-1][2] == s:
            out[-1] = (c.symbol, out[-1][1], e)
        else:
            out.append((c.symbol, s, e))
    return out


@pytest.mark.parametrize("beats,text", [(1, "4"), (1.5, "4+8"), (Fraction(1, 3), "8/3"), (Fraction(2, 3), "4/3"),
                                        (Fraction(1, 5), "16/5"), (7, "1+2+4"), (Fraction(5, 24), "32+32/3")])
def test_durations_are_written_as_impro_visor_writes_them(beats, text):
    assert duration_text(beats) == text and Fraction(duration_beats(text)).limit_denominator(1000) == beats


@pytest.mark.skipif(not SOLOS, reason="../shared/data/impro-visor/solos not present")
def test_every_shared_solo_reads_back_the_same(tmp_path):
    from jazz_lstm.render.score import key_fifths

    for path in SOLOS:
        solo = read_tune(path)
        back = read_tune(write_leadsheet(str(tmp_path / "x.ls"), solo, fifths=key_fifths(solo)))
        assert notes_of(back) == notes_of(solo), path
        assert chords_of(back) == chords_of(solo), path
        assert back.tempo == solo.tempo and back.time_signature == solo.time_signature


def test_a_generated_solo_goes_to_impro_visor_and_back(tmp_path, capsys):
    code, _, err = run_cli(capsys, "generate", "--chords", "Dm7 G7 | Cmaj7 | F/G | C7alt Bb13#11 |", "--bars", "8",
                           "--formats", "ls", "-o", str(tmp_path))
    assert code == 0, err
    text = (tmp_path / "solo.ls").read_text()
    assert "(composer jazz-lstm)" in text and "(part (type melody))" in text and "F/G" in text
    from jazz_lstm.solo.manifest import read

    m = read(str(tmp_path / "solo.json"))
    back = read_tune(str(tmp_path / "solo.ls"))
    from jazz_lstm.solo.outputs import improvise_request, replay

    req = replay(str(tmp_path / "solo.json"))
    solo = improvise_request(req.load_model(), req)[0]
    assert notes_of(back) == notes_of(solo) and chords_of(back) == chords_of(solo) and m.files["ls"] == "solo.ls"


SLASH = "F/G | Ab/Bb | Gm7/C | C | F/Eb | E/Eb | C7alt | B7b9 | Bb13#11 | NC | Cm7b5/Gb Dbmaj7#11 |"


@pytest.mark.slow
def test_slash_chords_and_pedal_points_render_to_every_format(tmp_path, capsys):
    code, out, err = run_cli(capsys, "generate", "--chords", SLASH.replace("| NC |", "|"), "--bars", "10",
                             "-o", str(tmp_path), "--formats", "wav,png,musicxml,svg,score.png,ls")
    assert code == 0, err
    for ext in ("mid", "wav", "png", "musicxml", "svg", "score.png", "ls", "json"):
        assert (tmp_path / f"solo.{ext}").stat().st_size > 0, ext


def test_musicxml_harmony_reads_back_as_written():
    """music21 (as MuseScore would) reads root, kind, <degree> alterations and <bass> back."""
    import music21 as m21

    from jazz_lstm.core.harmony import parse_chord
    from jazz_lstm.core.music import Note, Solo
    from jazz_lstm.render.score import musicxml_bytes

    symbols = ["C7alt", "B7b9", "Bb13#11", "F/G", "Ab/Bb", "Gm7/C", "F/Eb", "Dm7b5"]
    chords = [parse_chord(s, 4.0 * i, 4.0) for i, s in enumerate(symbols)]
    solo = Solo(notes=[Note(60 + i, 4.0 * i, 4.0) for i in range(len(symbols))], chords=chords)
    xml = musicxml_bytes(solo)
    back = [cs for cs in m21.converter.parseData(xml, format="musicxml").recurse().getElementsByClass(m21.harmony.ChordSymbol)]
    assert len(back) == len(symbols)
    got = {s: cs for s, cs in zip(symbols, back)}

    def degrees(cs):
        return {(d.modType, d.degree, int(d.interval.semitones) if d.interval else 0) for d in cs.getChordStepModifications()}

    assert got["B7b9"].chordKind == "dominant-seventh" and ("add", 9, -1) in degrees(got["B7b9"])
    assert got["Bb13#11"].chordKind == "dominant-13th" and ("alter", 11, 1) in degrees(got["Bb13#11"])
    assert {("alter", 5, 1), ("add", 9, -1), ("add", 9, 1)} <= degrees(got["C7alt"])
    for sym, bass in (("F/G", "G"), ("Ab/Bb", "B-"), ("Gm7/C", "C"), ("F/Eb", "E-")):
        assert got[sym].bass().name == bass, sym
    pcs = {p.pitchClass for p in got["B7b9"].pitches}
    assert {11, 3, 6, 9, 0} <= pcs  # B D# F# A and the flat nine, C


# iReal Pro's chord qualities (its Custom Chord Chart Protocol lists these)
IREAL_QUALITIES = ["", "5", "2", "add9", "+", "o", "h", "sus", "^", "-", "^7", "-7", "7", "7sus", "h7", "o7", "^9", "^13", "6",
                   "69", "^7#11", "^9#11", "^7#5", "-6", "-69", "-^7", "-^9", "-9", "-11", "-7b5", "h9", "-b6", "-#5", "9",
                   "7b9", "7#9", "7#11", "7b5", "7#5", "9#11", "9b5", "9#5", "7b13", "7#9#5", "7#9b5", "7#9#11", "7b9#11",
                   "7b9b5", "7b9#5", "7b9#9", "7b9b13", "7alt", "13", "13#11", "13b9", "13#9", "7b9sus", "7susadd3", "9sus",
                   "13sus", "7b13sus", "11"]


def every_chord_symbol() -> list[str]:
    """Every distinct chord symbol of the shared charts and WJazzD files (as this tool spells them),
    and iReal Pro's whole vocabulary over every root, with slash basses."""
    import csv

    from jazz_lstm.io.ireal import ireal_symbol
    from jazz_lstm.io.leadsheet import read_file
    from jazz_lstm.io.wjazzd import wjazzd_symbol

    symbols = set()
    for path in glob.glob(os.path.join(SHARED, "impro-visor", "charts", "*.ls")):
        for bar in read_file(path).bars:
            symbols.update(s for s in bar if s not in ("/", "NC", "N.C.", "nc", "%"))
    for path in glob.glob(os.path.join(SHARED, "wjazzd", "beats", "*.csv")):
        with open(path, newline="") as f:
            symbols.update(filter(None, (wjazzd_symbol(r["chord"]) for r in csv.DictReader(f) if r["chord"])))
    for root in ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"):
        symbols.update(ireal_symbol(root + q)[0] for q in IREAL_QUALITIES)
        symbols.update(ireal_symbol(root + q + "/" + bass)[0] for q in ("", "-7", "7", "^7") for bass in ("E", "Bb", "G#"))
    return sorted(symbols)


def covering(symbols: list[str]) -> list[str]:
    """A few symbols that hold every quality-and-alteration suffix (the bass as an interval), every
    root spelling and every bass spelling of `symbols`: a renderer sees a parsed chord, whose
    suffix and spellings are all that can make it give up."""
    import re

    seen, out = set(), []
    for sym in symbols:
        m = re.match(r"([A-G][b#]?)(.*?)(?:/([A-G][b#]?))?$", sym)
        root, suffix, bass = m.groups()
        keys = {("suffix", suffix, bass is None), ("root", root), ("bass", bass)}
        if not keys <= seen:
            seen |= keys
            out.append(sym)
    return out


@pytest.mark.slow
def test_every_chord_symbol_renders_to_every_format(tmp_path):
    """Issue #22.1: a few charts that together hold every distinct chord symbol, through the formats
    that write the symbol itself (MIDI, the leadsheet read back), and their covering set (every suffix,
    root and bass spelling) through every output format -- not one exit 1, not one renderer that gives up."""
    from jazz_lstm.core.harmony import parse_chord
    from jazz_lstm.core.music import Note, Solo
    from jazz_lstm.render.formats import FORMATS, render

    symbols = every_chord_symbol()
    if len(symbols) < 1000:
        pytest.skip("the shared charts and WJazzD files are not all present")
    per_chart = 256  # two chords a bar: 128 bars, within the pictures' limit
    few = covering(symbols)
    assert len(few) < len(symbols) / 4
    for name, which, formats in (("all", symbols, ("mid", "ls")), ("few", few, FORMATS)):
        for k in range(0, len(which), per_chart):
            chunk = which[k:k + per_chart]
            chords = [parse_chord(s, 2.0 * i, 2.0) for i, s in enumerate(chunk)]
            notes = [Note(60 + i % 12, 2.0 * i, 1.0) for i in range(len(chunk))]
            r = render(Solo(notes=notes, chords=chords, tempo=400.0), str(tmp_path / f"{name}{k}"), formats)
            assert set(r.files) == set(formats) and not r.warnings, (k, r.warnings)
            back = read_tune(r.files["ls"])
            assert [c.symbol for c in back.chords] == [c.symbol for c in chords]
