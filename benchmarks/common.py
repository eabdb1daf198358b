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


WJAZZD = os.path.join(HERE, "..", "..", "shared", "data", "wjazzd")


def wjazzd_solos() -> list:
    """Every solo of ../shared/data/wjazzd that reads (the unreadable ones skipped, as `prepare` skips them)."""
    from jazz_lstm.core.errors import JazzError
    from jazz_lstm.data.corpus import tune_files
    from jazz_lstm.io.formats import read_tune

    out = []
    for f in tune_files([WJAZZD]):
        try:
            out.append(read_tune(f))
        except JazzError:
            pass
    return out


def tune_charts(solos) -> list:
    """One Chart per tune (the first solo's changes, metre, tempo and key), in the solos' order."""
    from jazz_lstm.core.charts import Chart
    from jazz_lstm.data.corpus import tune_name

    charts, seen = [], set()
    for s in solos:
        if tune_name(s) not in seen:
            seen.add(tune_name(s))
            charts.append(Chart(tuple(s.chords), s.beats_per_bar, s.tempo, s.key, title=s.title, timed=True,
                                sections=s.sections))
    return charts
