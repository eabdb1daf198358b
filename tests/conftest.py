"""Small real inputs built in code, and the shared Metheny tune when present."""
from __future__ import annotations

import os

import pytest
import symusic

FIRST = ("test_readme.py",)  # the longest test file: collected first, so that under pytest-xdist (make test) its
# worker starts on it at once and the other tests share the other worker meanwhile


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: os.path.basename(str(item.fspath)) not in FIRST)  # (a stable sort: else as collected)


SHARED = os.environ.get("JAZZ_LSTM_SHARED") or os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
METHENY = os.path.abspath(os.path.join(SHARED, "original_metheny.mid"))

# a ii-V-I-VI in C, two bars each chord pair: (root pitches of the chord, bars)
PROGRESSION = [([50, 53, 57, 60], 0), ([43, 47, 50, 53], 1), ([48, 52, 55, 59], 2), ([45, 49, 52, 55], 3)]
LICK = [(62, 0.0, 0.5), (65, 0.5, 0.5), (69, 1.0, 0.5), (72, 1.5, 0.5), (71, 2.0, 1.0), (67, 3.0, 1.0),
        (65, 4.0, 0.5), (62, 4.5, 0.5), (59, 5.0, 1.0), (64, 6.0, 2.0), (67, 8.0, 1.5), (71, 9.5, 0.5),
        (72, 10.0, 2.0), (76, 12.0, 1.0), (73, 13.0, 1.0), (69, 14.0, 2.0)]


def write_midi(path, tracks, tpq=480, tempo=100.0, ts=(4, 4)):
    """tracks: list of (name, program, is_drum, [(pitch, start_beats, dur_beats), ...])."""
    s = symusic.Score(tpq)
    s.tempos.append(symusic.Tempo(0, tempo))
    s.time_signatures.append(symusic.TimeSignature(0, *ts))
    for name, prog, drum, notes in tracks:
        t = symusic.Track(name, prog, drum)
        for p, st, d in notes:
            t.notes.append(symusic.Note(int(st * tpq), int(d * tpq), p, 90))
        s.tracks.append(t)
    s.dump_midi(str(path))
    return str(path)


def comping(progression=PROGRESSION, repeats=1):
    """Whole-note block chords, one per bar."""
    notes = []
    for r in range(repeats):
        for pitches, bar in progression:
            start = (r * len(progression) + bar) * 4.0
            notes += [(p, start, 4.0) for p in pitches]
    return notes


@pytest.fixture
def small_midi(tmp_path):
    """A 4-bar tune: piano comping, a sax lick (the melody), a bass, and drums."""
    bass = [(pitches[0] - 12, bar * 4.0, 4.0) for pitches, bar in PROGRESSION]
    drums = [(42, b * 1.0, 0.25) for b in range(16)]
    return write_midi(tmp_path / "small.mid", [
        ("Piano", 0, False, comping()), ("Sax", 65, False, LICK), ("Bass", 32, False, bass), ("Drums", 0, True, drums)])


@pytest.fixture
def metheny():
    if not os.path.exists(METHENY):
        pytest.skip("../shared/data/original_metheny.mid not present")
    return METHENY


@pytest.fixture(scope="session")
def small_model(tmp_path_factory):
    """A model trained for a few seconds on the 4-bar tune played 6 times (with variations)."""
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.recipe.train import TrainConfig, train

    d = tmp_path_factory.mktemp("model")
    lick = [(p + (i % 3) * (1 if j % 2 else 0), s + 16 * i, dur) for i in range(6) for j, (p, s, dur) in enumerate(LICK)]
    path = write_midi(d / "tune.mid", [("Piano", 0, False, comping(repeats=6)), ("Sax", 65, False, lick)])
    out = str(d / "model.safetensors")
    train([read_tune(path)], TrainConfig(epochs=30, seed=0), out=out, progress=False)
    return out


def run_cli(capsys, *args):
    """Run `jazz-lstm ARGS` in-process: (exit code, stdout, stderr)."""
    from jazz_lstm.app.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code or 0
    out, err = capsys.readouterr()
    return code, out, err
