"""Build the pretrained model that ships in the package (src/jazz_lstm/assets/default.safetensors).

The chord-aware model (hidden 192, 2 layers, dropout 0.5) trained on the Weimar Jazz Database
(WJazzD; Jazzomat Research Project, Hochschule fuer Musik Franz Liszt Weimar; Open Data Commons
Open Database License v1.0, contents under the Database Contents License v1.0 -- a model trained
on it is a Produced Work and names it), from ../shared/data/wjazzd.  The project's held-out split
(wjazzd.is_heldout: one tune in ten, by the sha1 of its name) is never trained on; of the rest,
10% of the tunes are the validation set for early stopping.  Weights are stored as float16.
Deterministic on one machine with the same thread count.

A model trained on the Impro-Visor leadsheets (GPL v2) can still be built -- `--corpus impro-visor`
-- but it is GPL-licensed and is not what ships.

Usage: .venv/bin/python scripts/make_default_model.py [--corpus wjazzd|impro-visor] [--epochs N] [OUT]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from jazz_lstm.app.cli.options import EpochBar
from jazz_lstm.data.corpus import prepare
from jazz_lstm.io.wjazzd import is_heldout
from jazz_lstm.models.checkpoint import default_model_path, save
from jazz_lstm.models.chord.model import ChordConfig
from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
CORPORA = {
    "wjazzd": (os.path.join(SHARED, "wjazzd"),
               "the Weimar Jazz Database (WJazzD): 395 solos of its CSV export, the project's held-out tunes left out "
               "(Jazzomat Research Project, Hochschule fuer Musik Franz Liszt Weimar)",
               "ODbL-1.0 (database), DbCL-1.0 (contents)"),
    "impro-visor": (os.path.join(SHARED, "impro-visor", "solos"),
                    "Impro-Visor leadsheets: 54 transcribed jazz solos (the Impro-Visor project, Robert Keller et al., "
                    "Harvey Mudd College)", "GPL-2.0"),
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=default_model_path())
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="wjazzd")
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--patience", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=192)
    ap.add_argument("--dropout", type=float, default=0.5)
    a = ap.parse_args(argv)
    folder, source, licence = CORPORA[a.corpus]
    if not os.path.isdir(folder):
        sys.exit(f"error: {folder}: the {a.corpus} data are not here")
    t = time.time()
    corpus = prepare([os.path.relpath(folder)], jobs=2)  # the model file records the paths as given
    if a.corpus == "wjazzd":
        corpus = corpus.subset([i for i, tune in enumerate(corpus.tunes) if not is_heldout(tune.tune)])
    ck = train_corpus(corpus, CorpusTrainConfig(epochs=a.epochs, patience=a.patience, seed=0, threads=2),
                      ChordConfig(hidden=a.hidden, layers=2, dropout=a.dropout), progress=EpochBar())
    ck.train.data_source = source
    ck.train.data_license = licence
    ck.optim = {}  # the shipped model is not resumed: no Adam moments (twice the weights' size)
    save(ck, a.out, half=True)
    print(f"wrote {a.out}: hidden {a.hidden}, dropout {a.dropout}: {len(corpus.tunes)} solos, {ck.train.epochs_done} epochs, "
          f"val {min(ck.train.val_losses):.3f} nats/value, {os.path.getsize(a.out) // 1024} KB, {time.time() - t:.0f} s")


if __name__ == "__main__":
    main()
