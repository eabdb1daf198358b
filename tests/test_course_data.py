import numpy as np

from jazz_lstm.core.music import Chord
from jazz_lstm.course import data_processing, load_music_utils


def test_load_music_utils_default_shapes():
    X, Y, n_values, indices_values, chords = load_music_utils()
    assert X.shape == (60, 30, n_values) and Y.shape == (30, 60, n_values)
    assert len(indices_values) == n_values and all(isinstance(c, Chord) for c in chords)
    assert not X[:, 0].any()  # the first step is all zero
    assert (Y[:-1] == np.swapaxes(X[:, 1:], 0, 1)).all()  # Y is X shifted one step
    assert not Y[-1].any()  # the last step has no target
    assert (X[:, 1:].sum(-1) == 1).all()  # one-hot


def test_data_processing_is_seeded_like_the_course():
    corpus = [f"C,{i % 7}" for i in range(100)]
    vi = {v: i for i, v in enumerate(sorted(set(corpus)))}
    X1, Y1, n1 = data_processing(corpus, vi, m=5, Tx=10)
    np.random.seed(123)
    X2, Y2, n2 = data_processing(corpus, vi, m=5, Tx=10)
    assert n1 == n2 == 7 and (X1 == X2).all() and (Y1 == Y2).all()
    np.random.seed(0)
    starts = [np.random.choice(100 - 10) for _ in range(5)]
    for i, s in enumerate(starts):
        assert X1[i, 1].argmax() == vi[corpus[s + 1]]


def test_metheny_values(metheny):
    X, Y, n_values, iv, chords = load_music_utils(metheny)
    assert X.shape[:2] == (60, 30) and 80 <= n_values <= 400
