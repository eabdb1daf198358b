"""The CUDA path, measured where a GPU is lent (not part of `make bench`, which runs on CPU).

Trains the chord-aware model on the shared solos on CUDA and on the CPU side by side in one
run (same data, same config, same seed): seconds per epoch for the default batch (32) and a
large one (256), then a full training to early stopping on CUDA, and prints JSON.

    JAZZ_LSTM_CACHE=cache python benchmarks/bench_gpu.py SOLOS_DIR [OUT.json]

It reads the corpus through `prepare` (from the cache when one is there, so a machine
without music21 or symusic can run it).
"""
from __future__ import annotations

import json
import sys
import time

import torch

from jazz_lstm.data.corpus import prepare
from jazz_lstm.models.chord.model import ChordConfig
from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus


def timed(corpus, device: str, batch: int, epochs: int, threads: int = 0, patience: int = 0) -> dict:
    t0 = time.perf_counter()
    ck = train_corpus(corpus, CorpusTrainConfig(epochs=epochs, batch_size=batch, device=device, threads=threads,
                                                patience=patience, seed=0), ChordConfig(), progress=False)
    took = time.perf_counter() - t0
    return {"device": device, "batch": batch, "epochs": ck.train.epochs_done, "seconds": round(took, 2),
            "s_per_epoch": round(took / ck.train.epochs_done, 3), "best_val": min(ck.train.val_losses),
            "last_train": ck.train.losses[-1]}


def main(solos: str, out: str | None = None) -> None:
    corpus = prepare([solos])
    info = {"torch": torch.__version__, "cuda": torch.cuda.is_available(),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "tunes": len(corpus.tunes), "values": corpus.n_values, "cached": corpus.cached, "runs": []}
    for device, batch in (("cuda", 32), ("cpu", 32), ("cuda", 256), ("cpu", 256)):
        if device == "cuda" and not torch.cuda.is_available():
            continue
        info["runs"].append(timed(corpus, device, batch, 3))
        print(json.dumps(info["runs"][-1]), flush=True)
    if torch.cuda.is_available():
        info["full_cuda"] = timed(corpus, "cuda", 32, 40, patience=6)
        print(json.dumps(info["full_cuda"]), flush=True)
    text = json.dumps(info, indent=1)
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(*sys.argv[1:])
