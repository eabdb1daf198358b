"""Build the pretrained model that ships in the package (src/jazz_lstm/assets/default.safetensors).

The chord-aware model (hidden 192, 2 layers, dropout 0.5) trained on the 54 transcribed
jazz solos of ../shared/data/impro-visor/solos -- Impro-Visor leadsheets (Robert Keller et
al., Harvey Mudd College), distributed under the GNU GPL v2 -- with 10% of the tunes held out
for early stopping.  The model file records that source and licence in its training facts;
its weights are stored as float16.  Deterministic on one machine with the same thread count.
Usage: .venv/bin/python scripts/make_default_model.py [OUT] [SOLOS_DIR]
"""
from __future__ import annotations

import os
import sys

from jazz_lstm.checkpoint import default_model_path, save
from jazz_lstm.chordlstm import ChordConfig
from jazz_lstm.chordtrain import CorpusTrainConfig, train_corpus
from jazz_lstm.corpus import prepare

SOLOS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "impro-visor", "solos")
SOURCE = ("Impro-Visor leadsheets: 54 transcribed jazz solos (the Impro-Visor project, Robert Keller et al., "
          "Harvey Mudd College), GNU General Public License v2")


def main(out: str = default_model_path(), solos: str = SOLOS) -> None:
    if not os.path.isdir(solos):
        sys.exit(f"error: {solos}: the Impro-Visor solos are not here")
    corpus = prepare([solos], jobs=2)
    ck = train_corpus(corpus, CorpusTrainConfig(epochs=40, patience=6, seed=0, threads=2),
                      ChordConfig(hidden=192, layers=2, dropout=0.5), progress=sys.stderr.isatty())
    ck.train.data_source = SOURCE
    ck.train.data_license = "GPL-2.0"
    save(ck, out, half=True)
    print(f"wrote {out}: {len(corpus.tunes)} solos, {ck.train.epochs_done} epochs, "
          f"val {min(ck.train.val_losses):.3f} nats/value, {os.path.getsize(out) // 1024} KB")


if __name__ == "__main__":
    main(*sys.argv[1:])
