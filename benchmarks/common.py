"""Helpers shared by the benchmarks: timing, the Metheny path, a results table."""
from __future__ import annotations

import os
import statistics
import time

HERE = os.path.dirname(os.path.abspath(__file__))
METHENY = os.path.abspath(os.path.join(HERE, "..", "..", "shared", "data", "original_metheny.mid"))


def best_of(fn, repeat: int = 5) -> tuple[float, float]:
    """(best, median) wall time of fn() in seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def tune_path() -> str:
    """The Metheny tune from ../shared when present, else the embedded default."""
    if os.path.exists(METHENY):
        return METHENY
    from jazz_lstm.io.tunes import resolve

    return resolve(None)


def row(name: str, value: float, unit: str, target: str, reference: str = "") -> dict:
    print(f"{name:<44} {value:>10.4f} {unit:<3} target {target:<10} {reference}", flush=True)
    return {"name": name, "value": value, "unit": unit, "target": target, "reference": reference}
