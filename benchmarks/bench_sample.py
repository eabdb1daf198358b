"""#23: sampling beside the hardware's bound, threads under load, writes, start-up.

- The bound, written here: the default model's own nn.LSTM, embeddings and three heads stepped
  as many times as the sampler steps, one multinomial draw per factor -- no masks, no decoding,
  no novelty guard.  The project's in-process sampling (32 bars, 1 thread) beside it, n = 1 and
  n = 128, alternated in one run (min of 3).
- Threads: the default (SampleConfig.threads) beside 1 and 2 threads, quiet and beside 1 and 2
  spinning neighbour processes, n = 16.
- `generate -n 128 --bars 32 --formats none` wall beside the in-process sampling it does;
  `generate --bars 4 --formats none` beside `python -c "import torch"`.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time

from common import row

CHART = "Dm7 G7 | Cmaj7 | A7 | Dm7 G7 | Em7 A7 | Dm7 G7 | Cmaj7 | Cmaj7 |"


def _spin(stop):
    x = 0
    while not stop.is_set():
        x += 1


class _Neighbours:
    def __init__(self, n: int):
        self.stop = mp.Event()
        self.procs = [mp.Process(target=_spin, args=(self.stop,)) for _ in range(n)]

    def __enter__(self):
        for p in self.procs:
            p.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for p in self.procs:
            p.join()


def _setup():
    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.models.checkpoint import default_model_path, load

    return load(default_model_path()), parse_chart(CHART, 4.0)


def _project(ck, chords, n: int, threads: int = 1) -> tuple[float, int]:
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    t = time.perf_counter()
    solos = improvise(ck, chords, 32, n, SampleConfig(seed=1, threads=threads))
    return time.perf_counter() - t, max(len(s.tokens) for s in solos)


def _bound(ck, n: int, steps: int) -> float:
    """The same network stepped `steps` times for n solos with a multinomial per factor."""
    import torch

    from jazz_lstm.grammar.features import COND_DIM
    from jazz_lstm.models.loop import torch_threads

    m = ck.model
    gen = torch.Generator().manual_seed(0)
    with torch_threads(1), torch.inference_mode():
        prev, cond, state = m.start_ids(n), torch.zeros(n, 1, COND_DIM), None
        t = time.perf_counter()
        for _ in range(steps):
            h, state = m.hidden(prev[:, None], cond, state)
            h = h[:, 0]
            ty = torch.multinomial(m.type_head(h).softmax(-1), 1, generator=gen)[:, 0]
            du = torch.multinomial(m.dur_logits(h, ty).softmax(-1), 1, generator=gen)[:, 0]
            iv = torch.multinomial(m.int_logits(h, ty, du).softmax(-1), 1, generator=gen)[:, 0]
            prev = torch.stack([ty, du, iv], -1)
        return time.perf_counter() - t


def bound_rows() -> list[dict]:
    ck, chords = _setup()
    _project(ck, chords, 1)  # the novelty guard's automaton is built once a process: not in the figures
    rows = []
    for n, target in ((1, "<= 1.5x"), (128, "<= 1.3x")):
        ours, bound = [], []
        for _ in range(3):
            took, steps = _project(ck, chords, n)
            ours.append(took)
            bound.append(_bound(ck, n, steps))
        rows.append(row(f"sample n={n}, 32 bars, 1 thread", min(ours), "s", target,
                        f"{min(ours) / min(bound):.2f}x the plain-PyTorch bound {min(bound):.2f} s (same run)"))
    return rows


def thread_rows() -> list[dict]:
    from jazz_lstm.models.sample import SampleConfig

    ck, chords = _setup()
    _project(ck, chords, 1)
    rows = []
    for busy in (0, 1, 2):
        with _Neighbours(busy):
            t = {k: min(_project(ck, chords, 16, k)[0] for _ in range(2)) for k in (SampleConfig().threads, 1, 2)}
        default = t[SampleConfig().threads]
        rows.append(row(f"sample n=16, default threads, {busy} busy", default, "s", "<= 1.0x",
                        f"{default / t[1]:.2f}x --threads 1 ({t[1]:.2f} s), 2 threads {t[2]:.2f} s (same run)"))
    return rows


def _cli(args: list[str]) -> float:
    exe = os.path.join(os.path.dirname(sys.executable), "jazz-lstm")
    t = time.perf_counter()
    subprocess.run([exe] + args, check=True, capture_output=True)
    return time.perf_counter() - t


def cli_rows() -> list[dict]:
    ck, chords = _setup()
    _project(ck, chords, 1)
    inproc = min(_project(ck, chords, 128)[0] for _ in range(2))
    out = tempfile.mkdtemp()
    wall = min(_cli(["generate", "--chords", CHART, "-n", "128", "--bars", "32", "--formats", "none", "-o", out])
               for _ in range(2))
    short = min(_cli(["generate", "--chords", CHART, "--bars", "4", "--formats", "none", "-o", out]) for _ in range(3))
    t = time.perf_counter()
    for _ in range(3):
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
    torch_import = (time.perf_counter() - t) / 3
    return [row("generate -n 128 --bars 32 --formats none", wall, "s", "<= 1.5x",
                f"{wall / inproc:.2f}x the in-process sampling {inproc:.2f} s (start-up and writes included); "
                f"without importing torch {(wall - torch_import) / inproc:.2f}x"),
            row("generate --bars 4 --formats none", short, "s", "<= 1.3x",
                f"{short / torch_import:.2f}x `python -c 'import torch'` {torch_import:.2f} s")]


def main() -> list[dict]:
    return bound_rows() + thread_rows() + cli_rows()


if __name__ == "__main__":
    main()
