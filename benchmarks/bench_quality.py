"""#5: train on original_metheny.mid, 20 solos over its chords, the issue's targets."""
from __future__ import annotations

import sys
import time

from common import row, tune_path


def main(reference: bool = True) -> list[dict]:
    from jazz_lstm.evaluate import evaluate
    from jazz_lstm.midi_io import read_tune
    from jazz_lstm.sample import SampleConfig
    from jazz_lstm.train import TrainConfig, train

    tune = read_tune(tune_path())
    rows = []
    setups = [("recipe (60 windows)", TrainConfig(), SampleConfig(seed=0)),
              ("all windows, 20 epochs", TrainConfig(windows=0, epochs=20), SampleConfig(seed=0)),
              ("all windows, 20 epochs, T=0.8", TrainConfig(windows=0, epochs=20), SampleConfig(seed=0, temperature=0.8))]
    for name, tcfg, scfg in setups:
        t = time.perf_counter()
        ck = train([tune], tcfg, progress=False)
        rep = evaluate(ck, [tune], n=20, bars=32, cfg=scfg)
        took = time.perf_counter() - t
        for tg in rep["targets"]:
            unit = tg.get("unit", "")
            rows.append(row(f"{name}: {tg['target']}", float(tg["value"]), unit[:3] or "-", "met" if tg["ok"] else "MISSED"))
        rows.append(row(f"{name}: train + evaluate", took, "s", "-"))
    return rows


if __name__ == "__main__":
    main("--no-reference" not in sys.argv)
