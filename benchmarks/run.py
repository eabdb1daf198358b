"""`make bench`: every figure asked for in issues #2-#5 and #9-#12, each beside its in-run
reference, printed and written to benchmarks/results.md.  (bench_gpu.py runs where a GPU is.)"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_corpus  # noqa: E402
import bench_evaluate  # noqa: E402
import bench_feel  # noqa: E402
import bench_fuzz  # noqa: E402
import bench_models  # noqa: E402
import bench_prepare  # noqa: E402
import bench_quality  # noqa: E402
import bench_render  # noqa: E402
import bench_sample  # noqa: E402
import bench_scale  # noqa: E402
import bench_train  # noqa: E402
import bench_wjazzd  # noqa: E402
from common import HERE, row, tune_path  # noqa: E402


def demo_end_to_end() -> list[dict]:
    exe = os.path.join(os.path.dirname(sys.executable), "jazz-lstm")
    d = tempfile.mkdtemp()
    t = time.perf_counter()
    subprocess.run([exe, "demo", "-o", d], check=True, capture_output=True)
    return [row("`jazz-lstm demo` end to end (2 choruses, render all)", time.perf_counter() - t, "s", "-", "fresh process")]


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; tune: {tune_path()}")
    rows = []
    for name, fn in (("prepare (#2)", bench_prepare.main), ("train and sample (#3)", bench_train.main),
                     ("render (#4)", bench_render.main), ("demo", demo_end_to_end), ("quality (#5)", bench_quality.main),
                     ("corpus and chord model (#9, #10)", bench_corpus.main), ("busy machine and scale (#12)", bench_scale.main),
                     ("hostile input (#13, #25)", bench_fuzz.main), ("the Weimar Jazz Database (#20)", bench_wjazzd.main),
                     ("sampling at the bound (#23)", bench_sample.main), ("evaluate's speed (#23)", bench_evaluate.main),
                     ("swing, breath and form (#21)", bench_feel.main),
                     ("LSTM and Transformer (#24)", bench_models.main)):
        print(f"--- {name}")
        rows += fn()
    lines = ["# Benchmark results", "", f"Written by `make bench` on {time.strftime('%Y-%m-%d')}: {platform.machine()}, "
             f"{os.cpu_count()} cores. Tune: `{os.path.basename(tune_path())}`.", "",
             "| figure | value | target | reference (same run) |", "| --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['value']:.4g} {r['unit']} | {r['target']} | {r['reference']} |")
    gpu = os.path.join(HERE, "gpu_h200.json")
    if os.path.exists(gpu):  # measured by bench_gpu.py where a GPU was lent; kept beside the CPU figures
        import json

        with open(gpu) as f:
            g = json.load(f)
        lines += ["", f"From `bench_gpu.py` on one {g['gpu']} (torch {g['torch']}; `benchmarks/gpu_h200.json`), "
                  "the chord model on the 54 shared solos, CPU side by side on that machine (4 threads); the first "
                  "CUDA run includes CUDA's start-up:", "",
                  "| run | seconds per epoch | epochs | best validation, nats/value |", "| --- | --- | --- | --- |"]
        for r in g["runs"] + [dict(g["full_cuda"], device="cuda, to early stopping")]:
            lines.append(f"| {r['device']}, batch {r['batch']} | {r['s_per_epoch']} | {r['epochs']} | {r['best_val']} |")
    path = os.path.join(HERE, "results.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
