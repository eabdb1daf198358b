"""Build the small pretrained model that ships in the package (src/jazz_lstm/assets/default.safetensors).

Trained on the public-domain lead sheets in music21's corpus (the embedded default tune
first, so its changes are the model's default changes) and Joplin's Maple Leaf Rag
(chords inferred), every window with stride 2.  Deterministic: run it again, get the same
weights.  Usage: .venv/bin/python scripts/make_default_model.py
"""
from __future__ import annotations

import os
import sys

from jazz_lstm.checkpoint import default_model_path
from jazz_lstm.midi_io import read_tune
from jazz_lstm.train import TrainConfig, train
from jazz_lstm.tunes import DEFAULT_TUNE, resolve

TUNES = [DEFAULT_TUNE, "corpus:leadSheet/berlinAlexandersRagtime.mxl", "corpus:joplin/maple_leaf_rag"]


def main(out: str = default_model_path()) -> None:
    tunes = [read_tune(resolve(t)) for t in TUNES]
    cfg = TrainConfig(windows=0, stride=2, epochs=40, seed=0)
    ck = train(tunes, cfg, out=None, names=TUNES, progress=sys.stderr.isatty())
    ck.optim = {}  # the shipped model needs no optimizer state
    from jazz_lstm.checkpoint import save

    save(ck, out)
    print(f"wrote {out}: {len(ck.vocab)} values, {ck.train['windows']} windows, "
          f"loss {ck.train['losses'][0]:.2f} -> {ck.train['losses'][-1]:.2f}, {os.path.getsize(out) // 1024} KB")


if __name__ == "__main__":
    main(*sys.argv[1:])
