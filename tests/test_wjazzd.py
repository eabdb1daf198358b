"""The Weimar Jazz Database's CSV export (issue #20, the reader): notes onto the grammar's grid,
chords in WJazzD's spelling, pick-up bars, tempo, bad rows named and skipped."""
import glob
import os

import pytest
from conftest import SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from jazz_lstm.core.errors import JazzError

WJAZZD = os.path.join(SHARED, "wjazzd")
MELODY = "bar,beat,beatdur,denom,division,duration,num,onset,period,pitch,subtatum,tatum\n"
BEATS = "bar,bass_pitch,beat,chord,chorus_id,form,onset,signature\n"


def solo(folder, melody_rows, beat_rows, name="SonnyStitt_SomeTune-2.csv"):
    (folder / "melody").mkdir(exist_ok=True)
    (folder / "beats").mkdir(exist_ok=True)
    (folder / "melody" / name).write_text(MELODY + "\n".join(melody_rows) + "\n")
    (folder / "beats" / name).write_text(BEATS + "\n".join(beat_rows) + "\n")
    return str(folder / "melody" / name)


def beat_table(bars=(0, 1, 2), chords=None):
    chords = chords or {(1, 1): "C-7", (1, 3): "F79b", (2, 1): "Bbj7", (2, 3): "NC"}
    return [f"{b},{36 + k},{k},{chords.get((b, k), '')},1,{'A1' if (b, k) == (1, 1) else ''},{(4 * i + k) * 0.5},"
            f"{'4/4' if i == 0 and k == 1 else ''}" for i, b in enumerate(bars) for k in range(1, 5)]


def test_notes_chords_pickup_and_tempo(tmp_path):
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.io.wjazzd import read_wjazzd_solo

    rows = ["0,4,0.5,4,2,0.2,4,1.75,4,67.0,0,2",   # pick-up: beat 4 of bar 0, its second eighth
            "1,1,0.5,4,4,0.9,4,2.0,4,69.0,0,1",    # bar 1, beat 1, held 1.8 beats: cut at the next onset
            "1,1,0.5,4,5,0.1,4,2.2,4,70.0,0,3",    # a quintuplet: snapped to the grid
            "1,2,0.5,4,3,0.9,4,2.5,4,72.0,0,2",    # a triplet, held 1.8 beats, then a rest
            "2,1,0.5,4,1,0.25,4,4.0,4,74.0,0,1"]   # bar 2, half a beat, then a rest
    path = solo(tmp_path, rows, beat_table())
    s = read_wjazzd_solo(path)
    assert (s.performer, s.title) == ("Sonny Stitt", "Some Tune")
    assert s.notes[0] == (67, 3.5, pytest.approx(5 / 12))  # 3.5 beats in; 0.2 s at 0.5 s a beat = 0.4 beat, on the grid 5/12
    assert [round(n[1], 4) for n in s.notes] == [3.5, 4.0, 4.4167, 5.3333, 8.0]
    assert s.notes[1][2] == pytest.approx(5 / 12) and s.notes[3][2] == pytest.approx(22 / 12)
    assert s.notes[4][2] == pytest.approx(0.5)
    assert s.snapped == {5: 1} and s.tempo == pytest.approx(120.0) and s.metre == (4, 4)
    assert [(c.symbol, c.start, c.duration) for c in s.chords] == [("Cm7", 0.0, 6.0), ("F7b9", 6.0, 2.0),
                                                                   ("Bbmaj7", 8.0, 4.0)]  # NC holds Bbmaj7
    assert s.form == [(4.0, "A1")] and s.bass[0] == (0.0, 37)
    assert len(s.performed) == 5 and s.performed[0] == (1.75, 0.2)
    tune = read_tune(path)
    assert [n.pitch for n in tune.notes] == [67, 69, 70, 72, 74] and tune.title == "Some Tune"
    assert tune.melody_track.endswith("Sonny Stitt (solo)")


def test_a_solo_of_three_notes_says_so(tmp_path):
    from jazz_lstm.core.errors import JazzError
    from jazz_lstm.io.formats import read_tune

    rows = ["0,4,0.5,4,2,0.2,4,1.75,4,67.0,0,2", "1,1,0.5,4,1,0.9,4,2.0,4,69.0,0,1", "2,1,0.5,4,1,0.25,4,4.0,4,74.0,0,1"]
    with pytest.raises(JazzError, match="3 notes at most on a track: a melody needs 4"):
        read_tune(solo(tmp_path, rows, beat_table()))


@pytest.mark.parametrize("edit,says", [
    (lambda m, b: (m.replace("pitch,", "pitch_x,"), b), "no column pitch"),
    (lambda m, b: (m.replace(",69.0,", ",nan,"), b), "column pitch"),
    (lambda m, b: (m.replace("1,1,0.5,4,4", "7,1,0.5,4,4"), b), "does not cover"),
    (lambda m, b: (m.replace(",4,4,0.1,", ",4,1000,0.1,"), b), "column division"),
    (lambda m, b: (m, b.replace("C-7", "Q-7").replace("F79b", "").replace("Bbj7", "")), "WJazzD chord"),
])
def test_bad_rows_name_the_file(tmp_path, edit, says):
    from jazz_lstm.io.formats import read_tune

    path = solo(tmp_path, ["1,1,0.5,4,4,0.1,4,2.0,4,69.0,0,1", "1,2,0.5,4,4,0.1,4,2.5,4,70.0,0,1"], beat_table())
    beats = path.replace("melody", "beats")
    m, b = edit(open(path).read(), open(beats).read())
    open(path, "w").write(m)
    open(beats, "w").write(b)
    with pytest.raises(JazzError, match=says) as e:
        read_tune(path)
    assert "SonnyStitt_SomeTune-2.csv" in str(e.value)


cell = st.one_of(st.sampled_from(["", "nan", "-1", "0", "1", "4", "1e9", "x", "3.5", "inf"]), st.text(max_size=4))


@given(st.lists(st.lists(cell, min_size=12, max_size=12), min_size=1, max_size=6))
@settings(max_examples=100, deadline=None)
def test_fuzzed_rows_are_refused_in_words(tmp_path_factory, rows):
    from jazz_lstm.io.formats import read_tune

    folder = tmp_path_factory.mktemp("w")
    path = solo(folder, [",".join(r).replace("\n", " ") for r in rows], beat_table())
    try:
        read_tune(path)
    except JazzError:
        pass


@pytest.mark.skipif(not os.path.isdir(os.path.join(WJAZZD, "melody")), reason="../shared/data/wjazzd not present")
def test_the_shared_solos_read(tmp_path):
    from jazz_lstm.data.corpus import tune_files
    from jazz_lstm.io.wjazzd import read_wjazzd_solo

    files = tune_files([WJAZZD])
    assert len(files) == len(glob.glob(os.path.join(WJAZZD, "melody", "*.csv")))  # beats/ files are not tunes
    read, refused = 0, []
    for f in files:
        try:
            read_wjazzd_solo(f)
            read += 1
        except JazzError as e:
            refused.append(str(e))
    assert read >= 380 and all("no chords" in r for r in refused), refused[:3]


SOLO_INFO = ("melid INTEGER, trackid INTEGER, compid INTEGER, recordid INTEGER, performer TEXT, title TEXT, titleaddon TEXT, "
             "solopart INTEGER, instrument TEXT, style TEXT, avgtempo REAL, tempoclass TEXT, rhythmfeel TEXT, key TEXT, "
             "signature TEXT, chord_changes TEXT, chorus_count INTEGER")
MELODY_T = ("eventid INTEGER, melid INTEGER, onset REAL, pitch REAL, duration REAL, period INTEGER, division INTEGER, bar INTEGER, "
            "beat INTEGER, tatum INTEGER, subtatum INTEGER, num INTEGER, denom INTEGER, beatdur REAL")
BEATS_T = ("beatid INTEGER, melid INTEGER, onset REAL, bar INTEGER, beat INTEGER, signature TEXT, chord TEXT, form TEXT, "
           "bass_pitch REAL, chorus_id INTEGER")


def build_db(path, melody_csvs):
    """A small wjazzd.db with the database's schema (tables solo_info, melody, beats), filled from CSVs."""
    import csv
    import sqlite3

    from jazz_lstm.io.wjazzd import beats_path, performer_and_title

    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE solo_info ({SOLO_INFO})")
    con.execute(f"CREATE TABLE melody ({MELODY_T})")
    con.execute(f"CREATE TABLE beats ({BEATS_T})")
    for melid, f in enumerate(melody_csvs, 1):
        performer, title = performer_and_title(f)
        con.execute("INSERT INTO solo_info (melid, performer, title, instrument, style, avgtempo, rhythmfeel, key, signature) "
                    "VALUES (?, ?, ?, 'ts', 'BEBOP', 200, 'SWING', 'Bb-maj', '4/4')", (melid, performer, title))
        for k, r in enumerate(csv.DictReader(open(f))):
            con.execute("INSERT INTO melody VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (k, melid, float(r["onset"]), float(r["pitch"]), float(r["duration"]), int(r["period"]),
                         int(r["division"]), int(r["bar"]), int(r["beat"]), int(r["tatum"]), 0, int(r["num"]),
                         int(r["denom"]), float(r["beatdur"])))
        for k, r in enumerate(csv.DictReader(open(beats_path(f)))):
            con.execute("INSERT INTO beats VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (k, melid, float(r["onset"]), int(r["bar"]), int(r["beat"]), r["signature"] or None,
                         r["chord"] or None, r["form"] or None, float(r["bass_pitch"]) if r["bass_pitch"] else None,
                         int(r["chorus_id"] or 0)))
    con.commit()
    con.close()
    return str(path)


@pytest.mark.skipif(not os.path.isdir(os.path.join(WJAZZD, "melody")), reason="../shared/data/wjazzd not present")
def test_a_database_file_holds_many_tunes(tmp_path, monkeypatch, capsys):
    from conftest import run_cli

    from jazz_lstm.data.corpus import prepare, tune_files
    from jazz_lstm.io.formats import read_tune

    monkeypatch.setenv("JAZZ_LSTM_CACHE", str(tmp_path / "cache"))
    csvs = sorted(glob.glob(os.path.join(WJAZZD, "melody", "*.csv")))[:3]
    db = build_db(tmp_path / "wjazzd.db", csvs)
    paths = tune_files([db])
    assert paths == [f"{db}#1", f"{db}#2", f"{db}#3"]
    for p, f in zip(paths, csvs):
        a, b = read_tune(p), read_tune(f)
        assert [(n.pitch, n.start, n.duration) for n in a.notes] == [(n.pitch, n.start, n.duration) for n in b.notes]
        assert [(c.symbol, c.start) for c in a.chords] == [(c.symbol, c.start) for c in b.chords] and a.title == b.title
    first = prepare([db])
    again = prepare([db])
    assert len(first.tunes) == 3 and again.cached == 3  # the cache keys each tune of the file
    code, out, err = run_cli(capsys, "inspect", f"{db}#2")
    assert code == 0 and "bars" in out, err
    (tmp_path / "bad.db").write_bytes(b"SQLite format 3\0" + b"\0" * 100)
    code, _, err = run_cli(capsys, "train", str(tmp_path / "bad.db"), "-o", str(tmp_path / "m.safetensors"))
    assert code == 2 and "bad.db" in err, err


@pytest.mark.skipif(not os.path.isdir(os.path.join(WJAZZD, "melody")), reason="../shared/data/wjazzd not present")
def test_read_tunes_reads_every_tune_a_path_holds(tmp_path, small_midi):
    """One dispatcher over the format registry: a file is one tune, a database or a folder many."""
    import shutil

    from jazz_lstm import read_tunes
    from jazz_lstm.io.formats import FORMATS, TUNE_EXT, format_of, read_tune

    csvs = sorted(glob.glob(os.path.join(WJAZZD, "melody", "*.csv")))[:2]
    db = build_db(tmp_path / "two.db", csvs)
    assert [t.title for t in read_tunes(db)] == [read_tune(f).title for f in csvs]
    folder = tmp_path / "tunes"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(small_midi, folder / "a.mid")
    shutil.copy(small_midi, folder / "sub" / "b.midi")
    (folder / "notes.txt").write_text("not a tune")
    assert [os.path.basename(t.source) for t in read_tunes(str(folder))] == ["a.mid", "b.midi"]
    assert len(read_tunes(small_midi)) == 1
    assert format_of(db).name == "WJazzD database" and ".csv" in TUNE_EXT and ".db" not in TUNE_EXT
    assert {f.name for f in FORMATS} >= {"MIDI", "MusicXML", "ABC", "Impro-Visor leadsheet", "WJazzD CSV export"}
    with pytest.raises(JazzError, match="holds many solos"):
        read_tune(db)
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(JazzError, match="unknown file type .*MIDI .*Impro-Visor leadsheet"):
        read_tune(str(tmp_path / "x.txt"))
