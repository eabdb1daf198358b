"""#3: training (recipe settings) against plain PyTorch and the course's unrolled cell;
sampling speed; peak memory of a training run."""
from __future__ import annotations

import resource
import subprocess
import sys

from common import best_of, row, tune_path


def _data():
    from jazz_lstm.grammar.vocab import Vocab
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.recipe.train import TrainConfig, make_windows, tune_streams

    tune = read_tune(tune_path())
    stream = tune_streams([tune])[0]
    vocab = Vocab.build(stream)
    x, y = make_windows([vocab.encode(stream)], TrainConfig(), len(vocab))
    return tune, len(vocab), x, y


def _reference(kind: str, V: int, x, y, epochs: int = 100) -> None:
    """The same recipe written plainly: nn.LSTM over one-hot input, or the course's way
    (one LSTMCell called in a Python loop over the 30 steps, a Dense layer per step)."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.manual_seed(0)
    H = 64
    lstm = nn.LSTM(V + 1, H, batch_first=True) if kind == "plain" else nn.LSTMCell(V + 1, H)
    dense = nn.Linear(H, V)
    params = list(lstm.parameters()) + list(dense.parameters())
    opt = torch.optim.Adam(params, lr=0.01, eps=1e-7)
    X = F.one_hot(torch.from_numpy(x), V + 1).float()
    Y = torch.from_numpy(y)
    step = 0
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for b in range(0, len(X), 32):
            idx = perm[b:b + 32]
            xb, yb = X[idx], Y[idx]
            if kind == "plain":
                logits = dense(lstm(xb)[0])
            else:
                h = c = torch.zeros(len(idx), H)
                outs = []
                for t in range(xb.shape[1]):
                    h, c = lstm(xb[:, t], (h, c))
                    outs.append(dense(h))
                logits = torch.stack(outs, 1)
            loss = F.cross_entropy(logits.reshape(-1, V), yb.reshape(-1), ignore_index=-100, reduction="sum") / len(idx)
            for g in opt.param_groups:
                g["lr"] = 0.01 / (1 + 0.01 * step)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1


def peak_memory_mb() -> float:
    """Peak RSS of a fresh process that imports the package and trains with the recipe's settings."""
    code = ("import resource; from jazz_lstm.io.formats import read_tune; from jazz_lstm.models.recipe.train import train;"
            f"train([read_tune({tune_path()!r})], progress=False);"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) / 1024


def main(reference: bool = True) -> list[dict]:
    import torch

    from jazz_lstm.models.loop import torch_threads
    from jazz_lstm.models.recipe.sample import sample_ids
    from jazz_lstm.models.recipe.train import TrainConfig, train
    from jazz_lstm.models.sample import SampleConfig

    tune, V, x, y = _data()
    rows = []
    train([tune], TrainConfig(epochs=5), progress=False)  # warm up
    ck = None

    def ours():
        nonlocal ck
        ck = train([tune], TrainConfig(), progress=False)

    best, _ = best_of(ours, 3)
    ref = ""
    if reference:
        with torch_threads(1):
            plain, _ = best_of(lambda: _reference("plain", V, x, y), 1)
            course, _ = best_of(lambda: _reference("course", V, x, y), 1)
        ref = f"plain nn.LSTM {plain:.2f} s ({plain / best:.1f}x), course-style unrolled cell {course:.2f} s ({course / best:.1f}x)"
    rows.append(row(f"train 100 epochs, recipe (V={V})", best, "s", "<= 0.5 s", ref))
    m = ck.model
    g1, _ = best_of(lambda: sample_ids(m, 1, 50, SampleConfig(greedy=True)), 20)
    rows.append(row("greedy 50 values, one solo", g1 * 1000, "ms", "<= 2 ms"))
    g2, _ = best_of(lambda: sample_ids(m, 1000, 50, SampleConfig(seed=1)), 5)
    rows.append(row(f"1000 solos x 50 values, sampled ({torch.get_num_threads()} threads)", g2 * 1000, "ms", "<= 50 ms"))
    rows.append(row("peak memory of a training run (whole process)", peak_memory_mb(), "MB", "<= 500 MB",
                    f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"))
    return rows


if __name__ == "__main__":
    main(reference="--no-reference" not in sys.argv)
