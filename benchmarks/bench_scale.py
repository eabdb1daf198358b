"""#12: a busy machine, more processes, 1,000 tunes.

- The recipe's `jazz-lstm train` command, quiet and beside one and two spinning
  neighbour processes, in one run (the ratios are the figures).
- DDP: torchrun with 2 gloo processes against one process on the same global batch.
- 1,000 solos x 50 values sampled from the recipe model.
- Prepare 1,000 tunes (the shared solos replicated) with 1 and 2 processes; one epoch of
  the chord model over them; 1,000 solos x 32 bars over 100 different shared charts; the
  peak memory of each step (a fresh process each).
"""
from __future__ import annotations

import glob
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time

from common import HERE, METHENY, row, tune_path

IV = os.path.abspath(os.path.join(HERE, "..", "..", "shared", "data", "impro-visor"))


def _spin(stop):
    x = 0
    while not stop.is_set():
        x += 1


def _train_cmd() -> float:
    exe = os.path.join(os.path.dirname(sys.executable), "jazz-lstm")
    out = os.path.join(tempfile.mkdtemp(), "m.safetensors")
    t = time.perf_counter()
    subprocess.run([exe, "train", tune_path(), "-o", out, "-q"], check=True, capture_output=True)
    return time.perf_counter() - t


def busy() -> list[dict]:
    rows, times = [], {}
    for n in (0, 1, 2, 0):
        stop = mp.Event()
        procs = [mp.Process(target=_spin, args=(stop,)) for _ in range(n)]
        for p in procs:
            p.start()
        took = min(_train_cmd() for _ in range(2))
        stop.set()
        for p in procs:
            p.join()
        times[n] = min(took, times.get(n, took))
    for n, target in ((1, "<= 2x"), (2, "<= 2.5x")):
        rows.append(row(f"`jazz-lstm train` recipe, {n} busy neighbour(s)", times[n], "s", target,
                        f"{times[n] / times[0]:.1f}x the quiet {times[0]:.2f} s (same run)"))
    return rows


def sampling() -> list[dict]:
    import torch

    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.loop import torch_threads
    from jazz_lstm.models.recipe.sample import sample_ids
    from jazz_lstm.models.recipe.train import TrainConfig, train
    from jazz_lstm.models.sample import SampleConfig

    ck = train([read_tune(tune_path())], TrainConfig(epochs=5), progress=False)
    best = {}
    for threads in (1, 2):
        with torch_threads(threads):
            sample_ids(ck.model, 1000, 50, SampleConfig(seed=1))
            t = []
            for _ in range(5):
                s = time.perf_counter()
                sample_ids(ck.model, 1000, 50, SampleConfig(seed=1))
                t.append(time.perf_counter() - s)
            best[threads] = min(t)
    return [row("1000 solos x 50 values sampled, recipe model", best[1] * 1000, "ms", "<= 50 ms",
                f"2 threads: {best[2] * 1000:.0f} ms; torch {torch.__version__}")]


def _child(step: str, files: list[str], jobs: int, cache: str) -> dict:
    """One step in a fresh process: its time and its peak memory."""
    code = f"""
import json, resource, time, sys
sys.path.insert(0, {HERE!r})
from bench_scale import _step
t = time.perf_counter()
info = _step({step!r}, {files!r}, {jobs}, {cache!r})
info["seconds"] = time.perf_counter() - t
info["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(info))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "JAZZ_LSTM_CACHE": cache}).stdout
    return json.loads(out.strip().splitlines()[-1])


def _step(step: str, files: list[str], jobs: int, cache: str) -> dict:
    from jazz_lstm.data.corpus import prepare

    if step == "prepare":
        c = prepare(files, jobs=jobs, cache=False)
        return {"tunes": len(c.tunes)}
    corpus = prepare(files, jobs=2)
    if step == "epoch":
        from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus

        ck = train_corpus(corpus, CorpusTrainConfig(epochs=1, val_fraction=0, threads=2), progress=False)
        return {"windows": ck.train.windows}
    from jazz_lstm.io.leadsheet import read_leadsheet_chart
    from jazz_lstm.models import checkpoint
    from jazz_lstm.models.loop import torch_threads
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    ck = checkpoint.load(checkpoint.default_model_path())
    charts = sorted(glob.glob(os.path.join(IV, "charts", "*.ls")))[::26][:100]
    n = 0
    with torch_threads(2):
        for k, f in enumerate(charts):
            chords, bpb = read_leadsheet_chart(f)
            n += len(improvise(ck, chords, 32, 10, SampleConfig(seed=k), beats_per_bar=bpb))
    return {"solos": n, "charts": len(charts)}


def scale() -> list[dict]:
    solos = sorted(glob.glob(os.path.join(IV, "solos", "*.ls")))
    files = (solos * (1000 // len(solos) + 1))[:1000]
    cache = tempfile.mkdtemp()
    rows = []
    one = _child("prepare", files, 1, cache)
    two = _child("prepare", files, 2, cache)
    for jobs, r in ((1, one), (2, two)):
        rows.append(row(f"prepare 1,000 tunes, {jobs} process(es)", r["tunes"] / r["seconds"], "tunes/s", ">= 200/s",
                        f"{r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB" + (f", {one['seconds'] / r['seconds']:.1f}x one" if jobs == 2 else "")))
    ep = _child("epoch", files, 2, cache)
    rows.append(row("one epoch of the chord model over 1,000 tunes", ep["seconds"], "s", "-",
                    f"{ep['windows']} windows, 2 threads, peak {ep['peak_mb']:.0f} MB (reading from the cache included)"))
    gen = _child("generate", files[:1], 2, cache)
    rows.append(row(f"{gen['solos']} solos x 32 bars over {gen['charts']} charts", gen["seconds"], "s", "-",
                    f"{gen['solos'] / gen['seconds']:.0f} solos/s, default model, peak {gen['peak_mb']:.0f} MB"))
    return rows


def ddp() -> list[dict]:
    """The same 3 epochs of the chord model: one process with 2 threads vs torchrun's 2 gloo processes with 1 thread each."""
    exe = os.path.join(os.path.dirname(sys.executable), "jazz-lstm")
    common = ["train", os.path.join(IV, "solos"), "--epochs", "3", "--val", "0", "-q"]
    per_epoch = {}
    for name, cmd in (("one", [exe] + common + ["--threads", "2"]),
                      ("ddp", [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                               "-m", "jazz_lstm"] + common + ["--threads", "1"])):
        out = os.path.join(tempfile.mkdtemp(), "m.safetensors")
        subprocess.run(cmd + ["-o", out], check=True, capture_output=True)
        from jazz_lstm.models import checkpoint

        per_epoch[name] = checkpoint.load(out).train.seconds / 3
    return [row("DDP, 2 gloo processes: seconds per epoch", per_epoch["ddp"], "s", "<= 1 process",
                f"1 process with 2 threads: {per_epoch['one']:.2f} s ({per_epoch['ddp'] / per_epoch['one']:.2f}x); same global batch 32")]


def main() -> list[dict]:
    rows = sampling()
    if os.path.exists(METHENY):
        rows += busy()
    if os.path.isdir(os.path.join(IV, "solos")):
        rows += ddp() + scale()
    return rows


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
