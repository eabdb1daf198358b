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
from common import HERE, row  # noqa: E402

SHARED = os.path.join(HERE, "..", "..", "shared", "data")
WJAZZD = os.path.join(SHARED, "wjazzd")
SOLOS = os.path.join(SHARED, "impro-visor", "solos")
LSTM = dict(hidden=192, layers=2, dropout=0.5)  # the shipped model's sizes (scripts/make_default_model.py)
SWEEP = [dict(hidden=128, layers=4, heads=4, context=64, dropout=0.1),
         dict(hidden=128, layers=4, heads=4, context=64, dropout=0.3),
         dict(hidden=192, layers=4, heads=6, context=64, dropout=0.2),
         dict(hidden=128, layers=4, heads=4, context=128, dropout=0.2)]


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


if __name__ == "__main__":
    if sys.argv[1:] == ["--sweep"]:
        sweep()
