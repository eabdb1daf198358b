"""LSTM against Transformer in the same harness (issue #24), in one run, same data, seed, features,
masks, trainer and sampler:

* both trained on the project's WJazzD training split (wjazzd.is_heldout's tunes left out; 10% of the
  rest for validation and early stopping), seed 0, 2 threads: seconds per epoch, best validation;
* on the held-out WJazzD solos and on the 54 Impro-Visor solos (another corpus): nats per event
  (the event unigram and bigram beside them) and per value;
* over the held-out tunes' charts (eval.compare, as `evaluate -m A -m B`): chord tones, phrasing,
  copying, distinguishability from the held-out humans, solos per second;
* the Transformer's key/value cache: values per second at 32 and at 256 bars, with and without it.

    python benchmarks/bench_models.py                 # trains both (about 15 minutes on 2 cores)
    python benchmarks/bench_models.py LSTM.safetensors TRANSFORMER.safetensors   # compare trained files
    python benchmarks/bench_models.py --sweep        # the Transformer's sizes, chosen on validation
"""
from __future__ import annotations

import glob
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, WJAZZD, row, tune_charts, wjazzd_solos  # noqa: E402

SHARED = os.path.join(HERE, "..", "..", "shared", "data")
SOLOS = os.path.join(SHARED, "impro-visor", "solos")
LSTM = dict(hidden=192, layers=2, dropout=0.5)  # the shipped model's sizes (scripts/make_default_model.py)
SWEEP = [dict(hidden=128, layers=4, heads=4, context=64, dropout=0.1),
         dict(hidden=128, layers=4, heads=4, context=64, dropout=0.3),
         dict(hidden=192, layers=4, heads=6, context=64, dropout=0.2),
         dict(hidden=128, layers=4, heads=4, context=128, dropout=0.2)]
TRANSFORMER = SWEEP[1]  # the best of SWEEP on validation: 3.468 nats/value (3.477, 3.505, 3.472 the others),
# the LSTM 3.469 (TransformerConfig's defaults)


def training_corpus():
    from jazz_lstm.data.corpus import prepare
    from jazz_lstm.io.wjazzd import is_heldout

    corpus = prepare([os.path.relpath(WJAZZD)], jobs=2)
    return corpus.subset([i for i, t in enumerate(corpus.tunes) if not is_heldout(t.tune)])


def train(arch: str, sizes: dict, corpus, out: str, epochs: int = 16, patience: int = 4):
    """A model of `arch` trained as the shipped one is; returns its Checkpoint."""
    from jazz_lstm.models.base import ARCHS, kind
    from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus

    spec = kind(ARCHS[arch])
    cfg_cls = type(spec.model_config(_Sizes(), 0))
    mcfg = cfg_cls(**sizes)
    tx, stride = spec.window(mcfg)
    t = time.perf_counter()
    ck = train_corpus(corpus, CorpusTrainConfig(Tx=tx, stride=stride, epochs=epochs, patience=patience, seed=0, threads=2),
                      mcfg, out=out, net=spec.net)
    print(f"  {arch} {sizes}: {ck.train.epochs_done} epochs, best val {min(ck.train.val_losses):.4f} nats/value, "
          f"{(time.perf_counter() - t) / ck.train.epochs_done:.1f} s/epoch", flush=True)
    return ck


class _Sizes:  # a request that leaves every size to the kind's default
    hidden = layers = dropout = heads = context = None


def sweep() -> None:
    corpus = training_corpus()
    with tempfile.TemporaryDirectory() as d:
        for i, sizes in enumerate(SWEEP):
            train("transformer", sizes, corpus, os.path.join(d, f"t{i}.safetensors"), epochs=12, patience=3)


def cache_rates(ck, n: int = 8) -> dict:
    """Values sampled a second (n solos at once over a 12-bar blues looped) at 32 and 256 bars,
    and for a Transformer without its cache at 32 and 64 bars (recomputing the prefix each step)."""
    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.models.chord.sample import sample_chart
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import loop_chords

    blues = parse_chart("F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | D7 | Gm7 | C7 | F7 | C7 |")
    out = {}
    runs = [("cached", 32), ("cached", 256)] + ([("uncached", 32), ("uncached", 64)] if hasattr(ck.model, "cache") else [])
    for how, bars in runs:
        if hasattr(ck.model, "cache"):
            ck.model.cache = how == "cached"
        t = time.perf_counter()
        solos = sample_chart(ck.model, loop_chords(blues, bars, 4.0), bars, 4.0, n, SampleConfig(seed=0, max_copy=0))
        out[(how, bars)] = sum(len(v) for v, _ in solos) / (time.perf_counter() - t)
    if hasattr(ck.model, "cache"):
        ck.model.cache = True
    return out


def _held_out():
    from jazz_lstm.data.corpus import tune_name
    from jazz_lstm.io.wjazzd import is_heldout

    held = [s for s in wjazzd_solos() if is_heldout(tune_name(s))]
    return held, tune_charts(held)


def main(lstm: str | None = None, transformer: str | None = None) -> list[dict]:
    from jazz_lstm.eval.compare import compare
    from jazz_lstm.eval.events import event_scores
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.checkpoint import load

    if not os.path.isdir(WJAZZD):
        print("skipped: ../shared/data/wjazzd not present")
        return []
    corpus = training_corpus()
    if lstm and transformer:
        cks = [load(lstm), load(transformer)]
    else:
        d = os.path.join(HERE, "..", "out", "bench-models")
        os.makedirs(d, exist_ok=True)
        print(f"training both on {len(corpus.tunes)} WJazzD solos (seed 0, 2 threads) into {os.path.relpath(d)}/ ...",
              flush=True)
        cks = [train("lstm", LSTM, corpus, os.path.join(d, "lstm.safetensors")),
               train("transformer", TRANSFORMER, corpus, os.path.join(d, "transformer.safetensors"))]
    held, charts = _held_out()
    t = time.perf_counter()
    cmp = compare(cks, held, n=5, bars=32, heldout=held, reference=held, charts=charts)
    print(f"compared over {len(charts)} held-out charts ({len(held)} solos) in {time.perf_counter() - t:.0f} s", flush=True)
    iv = [read_tune(f) for f in sorted(glob.glob(os.path.join(SOLOS, "*.ls")))] if os.path.isdir(SOLOS) else []
    table, rows = [], []
    for name, ck, rep in zip(("LSTM", "Transformer"), cks, cmp.reports):
        ev, d = rep.events, rep.distinguishability
        cross = event_scores(ck, iv, corpus.tunes)["nats_per_event"] if iv else {}
        rates = cache_rates(ck)
        f = ck.train
        table.append((name, ck, rep, ev, d, cross, rates))
        rows.append(row(f"{name}: WJazzD held out, nats per event", ev["nats_per_event"]["model"], "nats", "lower wins",
                        f"bigram {ev['nats_per_event']['bigram']:.2f}; per value {rep.cross_entropy_nats_per_value['model']:.3f}"))
        rows.append(row(f"{name}: distinguishability", d["model"] or float("nan"), "acc", "nearer 0.5 wins",
                        f"bigram {d['bigram']}"))
        if cross:
            rows.append(row(f"{name}: Impro-Visor solos, nats per event", cross["model"], "nats", "lower wins",
                            f"bigram {cross['bigram']:.2f}"))
        rows.append(row(f"{name}: values/s at 256 bars / at 32", rates[("cached", 256)] / rates[("cached", 32)], "x",
                        ">= 0.8 (flat)", f"{rates[('cached', 32)]:.0f} and {rates[('cached', 256)]:.0f} values/s"))
        if ("uncached", 64) in rates:
            rows.append(row(f"{name}: without the cache, 64 bars / 32", rates[("uncached", 64)] / rates[("uncached", 32)],
                            "x", "-", f"{rates[('uncached', 32)]:.0f} and {rates[('uncached', 64)]:.0f} values/s"))
        rows.append(row(f"{name}: training seconds per epoch", f.seconds / max(1, f.epochs_done), "s", "-",
                        f"{f.epochs_done} epochs, best val {min(f.val_losses):.3f} nats/value"))
    print(markdown(table))
    return rows


def markdown(table) -> str:
    """The README's table."""
    head = ("| | weights | s/epoch | best val (nats/value) | WJazzD held out: nats/event (per value) | Impro-Visor: "
            "nats/event | distinguishability | chord tones (humans) | phrase (notes) | solos/s | values/s at 32 / 256 bars |")
    lines = [head, "|" + " --- |" * 11]
    for name, ck, rep, ev, d, cross, rates in table:
        ct, ph = rep.metrics["chord_tone_share"], rep.metrics["phrase_length_notes"]
        lines.append(f"| {name} | {ck.weights:,} | {ck.train.seconds / max(1, ck.train.epochs_done):.0f} | "
                     f"{min(ck.train.val_losses):.3f} | {ev['nats_per_event']['model']:.2f} "
                     f"({rep.cross_entropy_nats_per_value['model']:.3f}) | {cross.get('model', float('nan')):.2f} | "
                     f"{d['model']:.2f} | {ct['model']:.1%} ({ct['human']['median']:.1%}) | {ph['model']:.1f} "
                     f"({ph['human']['median']:.1f}) | {rep.speed['solos_per_second']:.2f} | "
                     f"{rates[('cached', 32)]:.0f} / {rates[('cached', 256)]:.0f} |")
    name, ck, rep, ev, d, cross, rates = table[0]
    lines.append(f"| bigram | | | | {ev['nats_per_event']['bigram']:.2f} | {cross.get('bigram', float('nan')):.2f} | "
                 f"{d['bigram']:.2f} | {rep.metrics['chord_tone_share']['bigram']:.1%} | | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--sweep"]:
        sweep()
    else:
        main(*sys.argv[1:])
