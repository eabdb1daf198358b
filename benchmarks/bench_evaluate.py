"""#23: `evaluate` with its defaults beside the code the issue measured, in one run.

The reference is the project as it stood when #23 was filed (commit REF, 0.2.0's evaluate), checked
out into a temporary git worktree; both run `evaluate --json` with their defaults (20 solos x 32 bars
x 4 sources per chart, over the model's own training tunes) on the same model file -- 0.2.0's shipped
model, which both versions load -- from the repository root, alternated, best of `rounds`.  The
solos differ (this version's sampler steers the breath and the changes), so the figures are not compared.

    python benchmarks/bench_evaluate.py [ROUNDS]     # about 2 minutes a round on 2 cores
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, row  # noqa: E402

REF = "173709d"  # main when #23 was filed (before the stage folders; 0.2.0's evaluate)
ROOT = os.path.abspath(os.path.join(HERE, ".."))


def _run(src: str, cwd: str, model: str, out: str) -> tuple[float, dict]:
    env = dict(os.environ, PYTHONPATH=src, JAZZ_LSTM_CACHE=os.path.join(out, "cache"))
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "jazz_lstm", "evaluate", "-m", model, "--json", "-o",
                           os.path.join(out, "report.html")], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"evaluate failed under {src}: {done.stderr[-2000:]}")
    return wall, json.loads(done.stdout)


def main(rounds: int = 2) -> list[dict]:
    if not os.path.isdir(os.path.join(ROOT, "..", "shared", "data", "impro-visor")):
        print("skipped: ../shared/data/impro-visor not present (the reference model's training tunes)")
        return []
    with tempfile.TemporaryDirectory() as tmp:
        ref = os.path.join(tmp, "ref")
        try:
            subprocess.run(["git", "worktree", "add", "--detach", "-f", ref, REF], cwd=ROOT, check=True,
                           capture_output=True)
        except (subprocess.CalledProcessError, FileNotFoundError):
            print(f"skipped: no git history holding {REF} here")
            return []
        try:
            model = os.path.join(ref, "src", "jazz_lstm", "assets", "default.safetensors")
            # the reference runs from a root whose ../shared is this one's (the model's tunes are relative)
            os.symlink(os.path.join(ROOT, "..", "shared"), os.path.join(tmp, "shared"))
            times: dict = {"ref": [], "now": []}
            reports = {}
            for _ in range(rounds):
                for who, src, cwd in (("ref", os.path.join(ref, "src"), ref), ("now", os.path.join(ROOT, "src"), ROOT)):
                    with tempfile.TemporaryDirectory() as out:
                        wall, reports[who] = _run(src, cwd, model, out)
                    times[who].append(wall)
                    print(f"  {who}: {wall:.1f} s", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", ref], cwd=ROOT, capture_output=True)
    ratio = min(times["ref"]) / min(times["now"])
    return [row("evaluate, defaults: speed-up over #23's main", ratio, "x", ">= 3",
                f"{min(times['ref']):.1f} s vs {min(times['now']):.1f} s, best of {rounds}; this version's report "
                f"holds more ({len(reports['now'])} fields against {len(reports['ref'])}: nats per event, "
                "distinguishability)")]


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
