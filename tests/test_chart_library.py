"""Issue #22: iReal Pro in (links, playlists, HTML exports; the form expanded), a chart library by
title, --chords TITLE, the studio's search box and chart-only uploads; the chart's tempo reaches
the solo (#19.5)."""
import os
from urllib.parse import quote

import pytest
from conftest import SHARED, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from jazz_lstm.core.errors import JazzError
from jazz_lstm.io.ireal import ireal_symbol, obfusc50, read_ireal, scramble, unscramble

CHARTS = os.path.join(SHARED, "impro-visor", "charts")


def link(title, music, composer="Composer", style="Medium Swing", key="C", bpm="160", scrambled=True):
    """An irealb:// link as iReal Pro writes one: fields joined by '=', the music scrambled."""
    body = scramble(music) if scrambled else music
    fields = [title, composer, "", style, key, "", body, "", bpm, "0"]
    return "irealb://" + "=".join(quote(f, safe="") for f in fields)


def played(song_link):
    return [" ".join(c for c in cells if c) for cells in read_ireal(song_link)[0].played_bars()]


@given(st.text(alphabet="ABCDEFG7^-|[]{} XyQLZ*,", max_size=400))
@settings(max_examples=200, deadline=None)
def test_scrambling_is_undone(music):
    assert unscramble(scramble(music)[10:]) == music
    block = (music * 50)[:50] if music else "x" * 50
    assert obfusc50(obfusc50(block)) == block


def test_unscrambling_matches_a_published_test_vector():
    """A pair from pyRealParser's tests (MIT): what iReal Pro writes, and what it means."""
    scrambled = "| B A BLZCZLF EZLD CZLB ZALA ,GZLF EZLD G ALZA44T[C "
    assert unscramble(scrambled) == "[T44A BLZC DLZE FLZG, ALZA BLZC DLZE FLZG ALZA B |C "


def test_repeats_with_endings():
    bars = played(link("R", "{*AT44C^7XyQ|A-7XyQ|N1D-7 G7 }XyQ|N2D-7 G7 |C^7XyQZ "))
    assert bars == ["C^7", "A-7", "D-7 G7", "C^7", "A-7", "D-7 G7", "C^7"]


def test_dc_al_fine_and_ds_al_coda():
    assert played(link("F", "*AT44C7XyQ|F7XyQ<Fine>|*BG7XyQ|C7XyQ<D.C. al Fine>Z ")) == ["C7", "F7", "G7", "C7", "C7", "F7"]
    coda = "*AT44CXyQ|SD-XyQQ|G7XyQ|CXyQ<D.S. al Coda>Z QE7XyQ|A-XyQZ "
    assert played(link("C", coda)) == ["C", "D-", "G7", "C", "D-", "E7", "A-"]


def test_sections_start_where_the_played_form_says():
    """*A / *B marks become the chart's sections, in beats of the played form: a repeated A's second pass
    opens a section again; the D.C.'s return to the top does too."""
    chart = read_ireal(link("R", "{*AT44C^7XyQ|A-7XyQ|N1D-7 G7 }XyQ|N2D-7 G7 |*BE7XyQ|A7XyQZ "))[0].chart()
    assert chart.sections == (0.0, 12.0, 24.0)  # A at bar 0, its repeat at bar 3, B at bar 6
    dc = read_ireal(link("F", "*AT44C7XyQ|F7XyQ<Fine>|*BG7XyQ|C7XyQ<D.C. al Fine>Z "))[0].chart()
    assert dc.sections == (0.0, 8.0, 16.0)


def test_bar_repeats_no_chord_and_cells():
    song = read_ireal(link("X", "T44C7 F7 |x|G7XyQ|r|nXyQ|A-7XyQZ "))[0]
    assert [" ".join(c for c in b if c) for b in song.played_bars()] == ["C7 F7", "C7 F7", "G7", "C7 F7", "G7", "", "A-7"]
    chart = song.chart()
    assert [(c.symbol, c.start, c.duration) for c in chart.chords[:2]] == [("C7", 0.0, 2.0), ("F7", 2.0, 2.0)]
    assert chart.chords[-2].symbol == "G7" and chart.chords[-2].duration == 8.0  # no chord holds the chord before it
    assert chart.tempo == 160 and chart.timed and chart.beats_per_bar == 4.0


def test_metres_and_metadata():
    song = read_ireal(link("Waltz", "T34C^7XyQ|D-7XyQ|G7XyQ|C^7XyQZ ", key="A-", style="Waltz", bpm="0"))[0]
    chart = song.chart()
    assert song.time_signature == (3, 4) and chart.beats_per_bar == 3.0 and chart.key == "A minor"
    assert not chart.timed and song.style == "Waltz" and song.composer == "Composer"


@pytest.mark.parametrize("ireal,ours", [("C-7", "Cm7"), ("Bb^7", "Bbmaj7"), ("Eh7", "Em7b5"), ("Do7", "Ddim7"),
                                        ("F7alt", "F7alt"), ("G7sus", "G7sus4"), ("C-^7", "Cmmaj7"), ("A-7/G", "Am7/G"),
                                        ("C^", "Cmaj7"), ("C2", "Cadd9"), ("C+", "Caug"), ("Eb^7#11", "Ebmaj7#11"),
                                        ("Bb7b9", "Bb7b9"), ("Dh", "Dm7b5"), ("C6", "C6"), ("F#-7b5", "F#m7b5")])
def test_ireal_chords_in_our_spelling(ireal, ours):
    from jazz_lstm.core.harmony import parse_chord

    symbol, _ = ireal_symbol(ireal)
    assert symbol == ours and parse_chord(symbol).symbol == ours


def test_a_playlist_and_an_html_export(tmp_path, capsys):
    one, two = link("Blue One", "T44F7XyQ|Bb7XyQ|F7XyQZ "), link("Two", "T44D-7 G7 |C^7XyQZ ")
    both = one + "===" + two.split("://", 1)[1] + "===My%20Playlist"
    songs = read_ireal(both)
    assert [s.title for s in songs] == ["Blue One", "Two"]
    page = tmp_path / "export.html"
    page.write_text(f'<html><head><title>My Playlist</title></head><body><h3><a href="{both}">My Playlist</a></h3>'
                    "<br/>Made with iReal Pro</body></html>")
    code, _, err = run_cli(capsys, "generate", "--chords", str(page), "--formats", "none", "-o", str(tmp_path / "a"))
    assert code == 0 and "a playlist of 2 songs; playing the first, Blue One" in err, err
    code, _, err = run_cli(capsys, "generate", "--chords", "two", "--charts", str(page), "--formats", "none",
                           "-o", str(tmp_path / "b"))
    assert code == 0 and "chords: Two" in err and "at 160 bpm" in err, err
    code, _, err = run_cli(capsys, "generate", "--chords", one, "--formats", "none", "-o", str(tmp_path / "c"))
    assert code == 0 and "3 bars" in err, err


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_garbage_links_are_one_clear_error(text):
    try:
        for song in read_ireal("irealb://" + text):
            song.chart()
    except JazzError:
        pass


def test_a_bad_link_is_exit_2(tmp_path, capsys):
    code, _, err = run_cli(capsys, "generate", "--chords", "irealb://not%20a%20song", "-o", str(tmp_path))
    assert code == 2 and "error:" in err and "Traceback" not in err


def leadsheet(folder, name, title):
    (folder / name).write_text(f"(title {title})\n(composer Someone)\n(meter 4 4)\n(key 0)\n(tempo 150)\n"
                               "(part (type chords))\nCm7 | F7 | Bbmaj7 | Ebmaj7 |\n")


def test_titles_are_found_forgiving_case_spaces_punctuation_and_order(tmp_path, monkeypatch):
    from jazz_lstm.io.chartlib import Library

    monkeypatch.setenv("JAZZ_LSTM_CACHE", str(tmp_path / "cache"))
    leadsheet(tmp_path, "AutumnLeavesGm.ls", "Autumn Leaves")
    leadsheet(tmp_path, "AllTheThingsYouAre.ls", "All the Things You Are")
    leadsheet(tmp_path, "Leaves.ls", "Falling Leaves")
    lib = Library([str(tmp_path)], env=False)
    for query in ("autumn leaves", "AUTUMN-LEAVES", "leaves, autumn", "autumnleaves", "autum leav"):
        assert lib.search(query)[0].title == "Autumn Leaves", query
    assert lib.search("all the things")[0].path.endswith("AllTheThingsYouAre.ls")
    assert lib.search("rhythm changes")[0].path == "builtin"  # the built-in progressions are in the library
    assert not lib.search("zzyzx")
    chart = lib.search("autumn leaves")[0].load()
    assert chart.tempo == 150 and chart.timed and chart.n_bars == 4


def test_the_index_is_cached_and_refreshed(tmp_path, monkeypatch):
    from jazz_lstm.io import chartlib

    monkeypatch.setenv("JAZZ_LSTM_CACHE", str(tmp_path / "cache"))
    (tmp_path / "c").mkdir()
    leadsheet(tmp_path / "c", "A.ls", "First Title")
    assert chartlib.Library([str(tmp_path / "c")], env=False).search("first")[0].title == "First Title"
    assert os.path.isfile(tmp_path / "cache" / "charts-index.json")
    calls = []
    monkeypatch.setattr(chartlib, "_titles", lambda path, data: calls.append(path) or [])
    assert chartlib.Library([str(tmp_path / "c")], env=False).search("first")  # from the cache: no file read
    assert not calls
    leadsheet(tmp_path / "c", "A.ls", "Second Title, longer")  # a new size: read again
    chartlib.Library([str(tmp_path / "c")], env=False).entries
    assert calls


@pytest.mark.skipif(not os.path.isdir(CHARTS), reason="../shared/data/impro-visor/charts not present")
def test_generate_plays_a_standard_by_title(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAZZ_LSTM_CHARTS", CHARTS)
    monkeypatch.setenv("JAZZ_LSTM_CACHE", str(tmp_path / "cache"))
    code, _, err = run_cli(capsys, "generate", "--chords", "autumn leaves", "--formats", "none", "-o", str(tmp_path))
    assert code == 0 and "chords: Autumn Leaves (" in err and "AutumnLeaves" in err and "at 160 bpm" in err, err
    code, out, err = run_cli(capsys, "charts", "all the things")
    assert code == 0 and "AllTheThingsYouAre.ls" in out


def test_the_charts_tempo_reaches_the_solo(tmp_path, capsys):
    leadsheet(tmp_path, "t.ls", "Fast One")
    code, _, err = run_cli(capsys, "generate", "--chords", str(tmp_path / "t.ls"), "--formats", "none", "-o", str(tmp_path / "a"))
    assert code == 0 and "at 150 bpm" in err, err
    code, _, err = run_cli(capsys, "generate", "--chords", str(tmp_path / "t.ls"), "--tempo", "100", "--formats", "none",
                           "-o", str(tmp_path / "b"))
    assert code == 0 and "at 100 bpm" in err, err
    from jazz_lstm.io.formats import read_tune

    assert read_tune(str(tmp_path / "a" / "solo.mid")).tempo == pytest.approx(150, abs=0.5)
