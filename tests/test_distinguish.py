"""The distinguishability score (issue #20.3): a classifier's accuracy telling generated pieces from
human ones, against hand-made cases."""
import numpy as np

from jazz_lstm.eval.distinguish import cv_accuracy, distinguishability, logistic_fit


def test_logistic_fit_on_a_hand_made_case():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    w, b = logistic_fit(X, y, l2=1.0)
    assert w[0] > 0 and abs(b) < 1e-6  # symmetric data: no bias, the weight points to class 1
    # the gradient at the fit is zero: sum(p - y) x + l2 w = 0
    p = 1 / (1 + np.exp(-(X @ w + b)))
    assert abs(((p - y) * X[:, 0]).sum() + 1.0 * w[0]) < 1e-8


def test_separable_classes_are_told_apart_and_identical_ones_are_not():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (50, 3)), rng.normal(4, 1, (50, 3))])
    y = np.array([0] * 50 + [1] * 50)
    assert cv_accuracy(X, y) >= 0.95
    same = [{"a": v[0], "b": v[1]} for v in rng.normal(0, 1, (200, 2))]
    acc = distinguishability(same[:100], same[100:], ["a", "b"], seed=1)
    assert 0.3 <= acc <= 0.7


def test_too_few_pieces_give_no_figure():
    pieces = [{"a": float(i)} for i in range(10)]
    assert distinguishability(pieces, pieces, ["a"]) is None
