"""The course's API with the course's names, shapes and semantics, on this package.

    X, Y, n_values, indices_values, chords = load_music_utils()
    X, Y, n_values = data_processing(corpus, values_indices, m=60, Tx=30)

X is (m, Tx, n_values) one-hot with X[:, 0] all zero; Y is (Ty, m, n_values) with
Ty = Tx and Y[t] = X[:, t+1] (the last step, Y[Tx-1], is all zero: it has no target).
The model functions (djmodel, music_inference_model, predict_and_sample,
generate_music) arrive with the model.
"""
from __future__ import annotations

import numpy as np

from . import grammar
from .dataset import course_windows
from .midi_io import read_tune
from .tunes import resolve
from .vocab import Vocab


def get_musical_data(path: str | None = None):
    """(chords, corpus): the tune's Chords and its grammar values, in order."""
    tune = read_tune(resolve(path))
    return tune.chords, grammar.encode(tune)


def get_corpus_data(corpus: list[str]):
    """(corpus, values, values_indices, indices_values) as the course returns them (values sorted)."""
    vocab = Vocab.build(corpus)
    return corpus, set(vocab.itos), dict(vocab.stoi), dict(enumerate(vocab.itos))


def data_processing(corpus: list[str], values_indices: dict, m: int = 60, Tx: int = 30):
    """The course's windows: np.random.seed(0), m random starts, one-hot.

    Returns X (m, Tx, n_values) bool, Y (Tx, m, n_values) bool, n_values.
    """
    n_values = len(set(corpus))
    ids = [values_indices[v] for v in corpus]
    win = course_windows(ids, m, Tx)  # (m, Tx)
    X = np.zeros((m, Tx, n_values), dtype=bool)
    Y = np.zeros((m, Tx, n_values), dtype=bool)
    rows = np.arange(m)
    for j in range(1, Tx):
        X[rows, j, win[:, j]] = True
        Y[rows, j - 1, win[:, j]] = True
    return X, np.swapaxes(Y, 0, 1), n_values


def load_music_utils(path: str | None = None):
    """X, Y, n_values, indices_values, chords for a tune (default: the embedded tune)."""
    chords, corpus = get_musical_data(path)
    corpus, values, values_indices, indices_values = get_corpus_data(corpus)
    X, Y, n_values = data_processing(corpus, values_indices, 60, 30)
    return X, Y, n_values, indices_values, chords
