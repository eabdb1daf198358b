"""Training from files, as `jazz-lstm train` and scripts do it: read the tunes (cached,
in a process pool), pick the model kind, fill the kind's defaults, resume, train.

    ck = train_files(TrainRequest(["../shared/data/impro-visor/solos"], "jazz.safetensors", epochs=3))
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

from jazz_lstm.models.checkpoint import Checkpoint, load
from jazz_lstm.core.errors import JazzError


@dataclass
class TrainRequest:
    """What to train.  tunes: files and folders (searched recursively).  output: the model
    file.  kind: "auto" (chord for a folder or a leadsheet, else recipe), "chord" or
    "recipe".  Options left None take the kind's default (see TrainConfig,
    CorpusTrainConfig, ChordConfig)."""

    tunes: list
    output: str = "model.safetensors"
    kind: str = "auto"
    melody_track: str | None = None
    chart: object = None  # charts.Chart applied to every tune, or None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    windows: int = 60  # recipe: random windows (the course's m); 0 = every window
    stride: int | None = None
    tx: int | None = None
    hidden: int | None = None
    layers: int | None = None
    dropout: float | None = None
    embedding: int = 0  # recipe: 0 = one-hot input
    val: float | None = None
    patience: int | None = None
    seed: int = 0
    squeeze: int = 0
    jobs: int = 1
    strict: bool = False
    cache: bool = True
    threads: int = 0
    device: str = "auto"
    resume: bool = False
    progress: bool = True
    save_every: int = 0  # a resumable checkpoint every this many epochs (0: at the end and on interrupt)

    def __post_init__(self):
        if self.kind not in ("auto", "recipe", "chord"):
            raise JazzError(f"the model kind must be auto, recipe or chord (got {self.kind!r})")
        if not self.tunes:
            raise JazzError("no tunes to train on")
        if self.kind == "auto":
            self.kind = "chord" if any(os.path.isdir(t) or t.lower().endswith(".ls") for t in self.tunes) else "recipe"
        if self.kind == "recipe" and int(os.environ.get("WORLD_SIZE", "1")) > 1:
            raise JazzError("the recipe trains in one process (60 windows); under torchrun train the chord model")
        if self.lr is not None and not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and 0 < self.lr <= 10):
            raise JazzError(f"the learning rate must be a number in (0, 10] (got {self.lr!r})", field="lr")
        if self.device not in ("auto", "cpu", "cuda"):
            raise JazzError(f"the device must be cpu, cuda or auto (got {self.device!r})", field="device")
        for name in ("epochs", "batch_size", "tx", "stride"):
            v = getattr(self, name)
            if v is not None and not 1 <= v <= 1_000_000:
                raise JazzError(f"{name.replace('_', ' ')} must be in 1..1000000 (got {v})", field=name)
        self.model_config(1)  # the model's sizes are checked before any tune is read

    def model_config(self, vocab_size: int):
        """The model config this request asks for (the kind's defaults where it is silent);
        JazzError naming the field when a size is out of bounds (the bounds `load` uses)."""
        if self.kind == "chord":
            from jazz_lstm.models.chord.model import ChordConfig

            m = ChordConfig()
            return ChordConfig(hidden=_or(self.hidden, m.hidden), layers=_or(self.layers, m.layers),
                               dropout=_or(self.dropout, m.dropout))
        from jazz_lstm.models.recipe.model import ModelConfig

        return ModelConfig(vocab_size, _or(self.hidden, 64), _or(self.layers, 1), _or(self.dropout, 0.0), self.embedding)


def read_corpus(req: TrainRequest, on_file=None, on_skip=None):
    """The request's tunes as a corpus.Corpus; on_skip(path, why) for each unreadable file."""
    from jazz_lstm.data.corpus import prepare, tune_files

    corpus = prepare(tune_files(req.tunes), jobs=req.jobs, cache=req.cache, strict=req.strict,
                     melody_track=req.melody_track, chords=list(req.chart.chords) if req.chart else None, on_file=on_file)
    for path, why in corpus.skipped:
        if on_skip:
            on_skip(path, why)
    if not corpus.tunes:
        raise JazzError("none of the tunes could be read")
    return corpus


def prior(req: TrainRequest) -> Checkpoint | None:
    """The model to continue from (req.resume), with the data options it was trained with
    restored where the request leaves them to their defaults."""
    if not req.resume:
        return None
    ck = load(req.output)
    if ck.kind != req.kind:
        raise JazzError(f"holds a {ck.kind} model, not a {req.kind} model: cannot resume it as one", req.output)
    cfg = ck.train.config
    for name, key in (("tx", "Tx"), ("stride", "stride"), ("batch_size", "batch_size"), ("lr", "lr"), ("val", "val_fraction"),
                      ("patience", "patience")):
        if getattr(req, name) is None and key in cfg:
            setattr(req, name, cfg[key])
    for name in ("windows", "squeeze", "seed"):
        if name in cfg and getattr(req, name) == TrainRequest.__dataclass_fields__[name].default:
            setattr(req, name, cfg[name])
    return ck


def train_files(req: TrainRequest, corpus=None, resume: Checkpoint | None = None) -> Checkpoint:
    """Train the model `req` asks for (reading its tunes unless `corpus` is given; continuing
    `resume`, else what prior(req) finds)."""
    from jazz_lstm.core.fileio import clean_temp

    clean_temp(os.path.dirname(os.path.abspath(req.output)))  # what a killed run left half-written
    resume = resume if resume is not None else prior(req)
    corpus = corpus if corpus is not None else read_corpus(req)
    if req.kind == "chord":
        return _chord(req, corpus, resume)
    return _recipe(req, corpus, resume)


def _chord(req: TrainRequest, corpus, resume) -> Checkpoint:
    from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus

    d = CorpusTrainConfig()
    cfg = CorpusTrainConfig(Tx=_or(req.tx, d.Tx), stride=_or(req.stride, d.stride), epochs=_or(req.epochs, d.epochs),
                            batch_size=_or(req.batch_size, d.batch_size), lr=_or(req.lr, d.lr),
                            val_fraction=_or(req.val, d.val_fraction), patience=_or(req.patience, d.patience),
                            seed=req.seed, threads=req.threads, device=req.device, save_every=req.save_every)
    if cfg.val_fraction and len(corpus.tunes) < 2:
        cfg.val_fraction = 0.0
    return train_corpus(corpus, cfg, req.model_config(0), out=req.output, progress=req.progress, resume=resume)


def _recipe(req: TrainRequest, corpus, resume) -> Checkpoint:
    from jazz_lstm.models.recipe.train import TrainConfig, train

    cfg = TrainConfig(Tx=_or(req.tx, 30), windows=req.windows, stride=_or(req.stride, 1), epochs=_or(req.epochs, 100),
                      batch_size=_or(req.batch_size, 32), lr=_or(req.lr, 0.01), val_fraction=_or(req.val, 0.0),
                      patience=_or(req.patience, 0), seed=req.seed, squeeze=req.squeeze, threads=req.threads or 1,
                      save_every=req.save_every)
    if cfg.val_fraction and len(corpus.tunes) < 2:
        cfg.val_fraction = 0.0
    return train(corpus.tunes, cfg, req.model_config(1),
                 out=req.output, resume=resume, progress=req.progress, names=[t.source for t in corpus.tunes])


def _or(value, default):
    """The option's value, or the model kind's default when it was not given."""
    return default if value is None else value
