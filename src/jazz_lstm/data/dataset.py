"""Training windows over token streams, and the train/validation split by tune.

`course_windows` reproduces the course's data_processing exactly (random starts
drawn after np.random.seed(0)); train.make_windows and chordtrain.windows take every window.
Tokens are ids (ints); tunes are kept apart so no window straddles two tunes.
"""
from __future__ import annotations

import numpy as np


def squeeze_rests(tokens: list[str], max_bar_rests: int = 1, bar_rest: str | None = None) -> list[str]:
    """Drop whole-bar rests beyond `max_bar_rests` in a row (`train --squeeze`; off by
    default: on the Metheny tune the empty bars teach the model to breathe)."""
    out, run = [], 0
    for t in tokens:
        is_bar_rest = t == bar_rest
        run = run + 1 if is_bar_rest else 0
        if not is_bar_rest or run <= max_bar_rests:
            out.append(t)
    return out


def course_windows(ids: list[int], m: int = 60, Tx: int = 30) -> np.ndarray:
    """m windows of Tx ids at random starts, as the course draws them.

    Returns (m, Tx) int array.  Seeds numpy's global generator with 0, as the course does.
    """
    if len(ids) <= Tx:
        raise ValueError(f"the corpus has {len(ids)} values; windows of Tx={Tx} need more than {Tx}")
    np.random.seed(0)
    out = np.zeros((m, Tx), dtype=np.int64)
    for i in range(m):
        r = np.random.choice(len(ids) - Tx)
        out[i] = ids[r:r + Tx]
    return out


def split_by_tune(names: list[str], val_fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """Indices of training and validation items; items with the same name (solos over one
    tune) fall on the same side.  With one tune, no validation."""
    groups: dict = {}
    for i, name in enumerate(names):
        groups.setdefault(name, []).append(i)
    keys = list(groups)
    if len(keys) < 2 or val_fraction <= 0:
        return list(range(len(names))), []
    rng = np.random.default_rng(seed)
    rng.shuffle(keys)
    n_val = min(max(1, int(round(len(keys) * val_fraction))), len(keys) - 1)
    val = sorted(i for k in keys[:n_val] for i in groups[k])
    return sorted(i for k in keys[n_val:] for i in groups[k]), val
