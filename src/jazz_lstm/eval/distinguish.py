"""Can a classifier tell the solos from the humans?  A logistic regression on each 8-bar
piece's metric vector (metrics.summary), cross-validated with a fixed seed, classes balanced:
its accuracy is the distinguishability (0.5: indistinguishable; 1.0: always told apart).
Pure numpy: no model, no torch.

    acc = distinguishability(human_summaries, generated_summaries, keys)   # float, or None if too thin
"""
from __future__ import annotations

import numpy as np

MIN_PER_CLASS = 20  # pieces of each class below which no figure is given
FOLDS = 5


def logistic_fit(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> tuple[np.ndarray, float]:
    """(weights, bias) of an L2-regularised logistic regression (Newton's method).
    X (N, D) features, y (N,) labels 0/1; l2: the penalty on the weights (not the bias)."""
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(A @ w, -30, 30)))
        grad = A.T @ (p - y) + reg * w
        H = (A * (p * (1 - p))[:, None]).T @ A + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def cv_accuracy(X: np.ndarray, y: np.ndarray, folds: int = FOLDS, seed: int = 0) -> float:
    """Mean held-out accuracy over `folds` stratified folds (features standardised on each
    training part)."""
    rng = np.random.default_rng(seed)
    idx = [rng.permutation(np.flatnonzero(y == c)) for c in (0, 1)]
    parts = [np.concatenate([i[k::folds] for i in idx]) for k in range(folds)]
    right = 0
    for k in range(folds):
        test = parts[k]
        train = np.concatenate([parts[j] for j in range(folds) if j != k])
        mu, sd = X[train].mean(0), X[train].std(0) + 1e-9
        w, b = logistic_fit((X[train] - mu) / sd, y[train])
        right += int(((((X[test] - mu) / sd) @ w + b > 0).astype(int) == y[test]).sum())
    return right / len(y)


def distinguishability(human: list[dict], generated: list[dict], keys, seed: int = 0,
                       min_per_class: int = MIN_PER_CLASS) -> float | None:
    """Accuracy telling `generated` pieces (metric summaries) from `human` ones on `keys`: as
    many human pieces as generated ones (drawn with `seed`), or the other way round; None when
    a class has fewer than `min_per_class` pieces."""
    k = min(len(human), len(generated))
    if k < min_per_class:
        return None
    rng = np.random.default_rng(seed)
    h = [human[i] for i in rng.choice(len(human), k, replace=False)]
    g = [generated[i] for i in rng.choice(len(generated), k, replace=False)]
    X = np.array([[float(s[key]) for key in keys] for s in h + g])
    X = np.nan_to_num(X)
    y = np.array([0] * k + [1] * k)
    return round(cv_accuracy(X, y, seed=seed), 4)
