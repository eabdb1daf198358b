"""#5 and #11: train on original_metheny.mid, 20 solos over its chords: the issue's targets, and
the model beside the shuffle, unigram and bigram baselines and the band of the tune's 8-bar pieces.
(The corpus model on held-out shared solos: bench_corpus.py.)"""
from __future__ import annotations

import sys
import time

from common import row, tune_path


def main(reference: bool = True) -> list[dict]:
    from jazz_lstm.eval.evaluate import evaluate
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.recipe.train import TrainConfig, train
    from jazz_lstm.models.sample import SampleConfig

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
        for tg in rep.targets:
            rows.append(row(f"{name}: {tg.target}", float(tg.value), tg.unit or "-", "met" if tg.ok else "MISSED"))
        rows.append(row(f"{name}: train + evaluate", took, "s", "-"))
    rep = evaluate(ck, [tune], n=20, bars=8, cfg=SampleConfig(seed=0))
    x = rep.cross_entropy_nats_per_value
    rows.append(row("all windows: cross-entropy on the tune itself, model", x["model"], "nats", "-",
                    f"unigram {x['unigram']:.2f}, bigram {x['bigram']:.2f} (training data: a fit, not a test)"))
    for key in ("chord_tone_share", "approach_resolution_share", "chord_tone_at_change_share",
                "strong_beat_chord_tone_share", "rest_between_phrases_beats", "notes_per_bar"):
        m = rep.metrics[key]
        h = m["human"]
        band = f"{h['p10']:.2f}-{h['p90']:.2f}" if "p10" in h else h["band"]
        rows.append(row(f"8-bar pieces: {key} (model)", m["model"], "", "in band",
                        f"band {band} ({h['pieces']} pieces); shuffle {m['shuffle']:.2f}, unigram {m['unigram']:.2f}, "
                        f"bigram {m['bigram']:.2f}"))
    return rows


if __name__ == "__main__":
    main("--no-reference" not in sys.argv)
