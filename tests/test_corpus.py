"""Corpus preparation: folders, bad files, the cache, the process pool; factored values and features."""
import numpy as np
import pytest

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.harmony import parse_chord
from jazz_lstm.data.corpus import prepare
from jazz_lstm.grammar.features import (
    DUR_MAX,
    HARMONY_DIM,
    INT_MAX,
    factorize,
    harmony_features,
    legality,
    split_id,
    unfactorize,
    value_id,
)

TUNE = """(meter 4 4)
(part (type chords))
Dm7 G7b9 | Cmaj7 | Dm7 G7#9 | Cmaj7 |
(part (type melody))
d8 f8 a8 c+8 b4 g4 | e4 r4 c4 d8 e8 | f8 a8 c+8 eb+8 d+4 b4 | c+2+4 r4
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("JAZZ_LSTM_CACHE", str(tmp_path / "cache"))
    d = tmp_path / "tunes"
    (d / "sub").mkdir(parents=True)
    (d / "a.ls").write_text(TUNE)
    (d / "sub" / "b.ls").write_text(TUNE.replace("d8 f8", "e8 g8"))
    (d / "sub" / "bad.ls").write_text("(part (type melody)) c4 q4")
    (d / "notes.txt").write_text("not a tune")
    return str(d)


def test_prepare_folder_skips_bad_files_and_caches(folder):
    c = prepare([folder])
    assert [t.title for t in c.tunes] == ["a", "b"] and c.cached == 0
    assert len(c.skipped) == 1 and "bad.ls" in c.skipped[0][0] and "not a note" in c.skipped[0][1]
    again = prepare([folder])
    assert again.cached == 2 and [t.values for t in again.tunes] == [t.values for t in c.tunes]
    assert [t.chords for t in again.tunes] == [t.chords for t in c.tunes]
    with pytest.raises(JazzError, match="not a note"):
        prepare([folder], strict=True)


def test_pool_gives_the_same_corpus(folder):
    one = prepare([folder], jobs=1, cache=False)
    two = prepare([folder], jobs=2, cache=False)
    assert [t.to_json() for t in one.tunes] == [t.to_json() for t in two.tunes]
    assert one.summary()["n_values"] == two.summary()["n_values"] > 0


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(JazzError, match="no tune files"):
        prepare([str(tmp_path)])


@pytest.mark.parametrize("token", ["C,0.500,<-1,5>", "R,4.000", "T,0.250", "X,0.083,<-39,-33>", f"S,{DUR_MAX / 12:.3f},<0,6>"])
def test_factor_round_trip(token):
    f = factorize(token)
    assert f is not None and unfactorize(*f) == token and split_id(value_id(*f)) == f


def test_values_outside_the_grid():
    assert factorize("C,9.000,<0,6>") is None  # longer than DUR_MAX
    assert factorize(f"C,0.500,<{INT_MAX + 1 - 3},{INT_MAX + 1 + 3}>") is None


def test_features_hear_alterations_and_metre():
    plain = harmony_features([parse_chord("C7", 0, 4), parse_chord("F", 4, 4)], [0, 6, 42], 4.0)
    flat9 = harmony_features([parse_chord("C7b9", 0, 4), parse_chord("F", 4, 4)], [0, 6, 42], 4.0)
    assert plain.shape == (3, HARMONY_DIM) and not np.array_equal(plain[0], flat9[0])
    assert plain[0, 1] == 0 and flat9[0, 1] == 1  # the b9 bit
    assert plain[0, 60] == 1 and plain[2, 63] == 1  # beat 1, beat 4
    assert plain[1, 68 + 6] == 1  # the "and" of beat 1 (step 6 of 12)
    assert plain[0, 86] == 1 and plain[1, 86] == 0  # on a change, not on a change


def test_legality():
    tokens = ["R,1.000", "C,3.000", "T,1.000", "C,2.000,<0,6>", "R,2.000"]
    onsets = [0, 12, 48, 60, 84]
    leg = legality(tokens, onsets, 4.0)
    assert leg.tolist() == [[48, 0, 0], [36, 0, 0], [48, 1, 1], [36, 1, 0], [12, 1, 0]]


def test_pitch_features():
    from jazz_lstm.grammar.features import PITCH_DIM, pitch_features

    f = pitch_features([-1, 64, 81], [0, 0, 9])
    assert f.shape == (3, PITCH_DIM)
    assert f[0, 12] == 1 and f[0].sum() == 1  # nothing played yet
    assert f[1, 4] == 1 and f[1, 13 + 2] == 1  # E over C: the third; register 62..67
    assert f[2, 0] == 1 and f[2, 13 + 5] == 1  # A over A: the root; register >= 80


def test_cache_entries_without_a_new_field_are_not_reused(folder, monkeypatch):
    from jazz_lstm.data import corpus

    prepare([folder])
    import dataclasses

    extra = dataclasses.make_dataclass("EncodedTune", [("extra", int, dataclasses.field(default=0))], bases=(corpus.EncodedTune,))
    monkeypatch.setattr(corpus, "EncodedTune", extra)
    assert prepare([folder]).cached == 0  # the schema changed: everything is read again
