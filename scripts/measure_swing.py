"""Measure the swing ratio of the Weimar Jazz Database's soloists as a function of tempo.

For every pair of eighth notes on one beat (a beat WJazzD divides in two, a note on each half),
the swing ratio is the first eighth's length over the second's, from the performed onsets:
(offbeat onset - beat onset) / (next beat onset - offbeat onset).  Per solo, the median of its
pairs (solos with at least 20 pairs); per tempo band, the median over its solos.  Prints the
table that `core/feel.py`'s SWING_BY_TEMPO holds (WJazzD: ODbL 1.0 / DbCL 1.0, a Produced Work).

    python scripts/measure_swing.py [../shared/data/wjazzd]
"""
from __future__ import annotations

import csv
import glob
import os
import statistics
import sys

BANDS = [(0, 140), (140, 180), (180, 220), (220, 260), (260, 400)]


def solo_ratios(melody_csv: str) -> tuple[float, list[float]]:
    """(tempo in quarter notes a minute, the swing ratio of each eighth-note pair)."""
    beats_csv = os.path.join(os.path.dirname(os.path.dirname(melody_csv)), "beats", os.path.basename(melody_csv))
    beat_at = {}
    for r in csv.DictReader(open(beats_csv)):
        beat_at[(int(r["bar"]), int(r["beat"]))] = float(r["onset"])
    order = sorted(beat_at, key=lambda k: beat_at[k])
    nxt = {k: beat_at[order[i + 1]] for i, k in enumerate(order[:-1])}
    rows = list(csv.DictReader(open(melody_csv)))
    by_beat: dict = {}
    for r in rows:
        if int(r["division"]) == 2:
            by_beat.setdefault((int(r["bar"]), int(r["beat"])), {})[int(r["tatum"])] = float(r["onset"])
    ratios = []
    for key, halves in by_beat.items():
        if 1 in halves and 2 in halves and key in beat_at and key in nxt:
            first, second = halves[2] - beat_at[key], nxt[key] - halves[2]
            if first > 0 and second > 0:
                ratios.append(first / second)
    tempo = 60.0 / statistics.median(float(r["beatdur"]) for r in rows)
    return tempo, ratios


def main(folder: str) -> list[tuple]:
    solos = []
    for f in sorted(glob.glob(os.path.join(folder, "melody", "*.csv"))):
        tempo, ratios = solo_ratios(f)
        if len(ratios) >= 20:
            solos.append((tempo, statistics.median(ratios)))
    table = []
    for lo, hi in BANDS:
        rs = [r for t, r in solos if lo <= t < hi]
        if rs:
            q = statistics.quantiles(rs, n=4) if len(rs) > 1 else [rs[0]] * 3
            table.append((lo, hi, len(rs), statistics.median(rs), q[0], q[2]))
    print(f"{len(solos)} solos with 20+ eighth-note pairs")
    print("| tempo (bpm) | solos | swing ratio, median | interquartile |")
    print("| --- | --- | --- | --- |")
    for lo, hi, n, med, q1, q3 in table:
        print(f"| {lo}-{hi} | {n} | {med:.2f} | {q1:.2f}-{q3:.2f} |")
    return table


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "wjazzd"))
