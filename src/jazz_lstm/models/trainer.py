"""Training from files, as `jazz-lstm train` and scripts do it: read the tunes (cached,
in a process pool), pick the model kind, fill the kind's defaults, resume, train.

    ck = train_files(TrainRequest(tunes=["../shared/data/impro-visor/solos"], output="jazz.safetensors", epochs=3))
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import clean_temp
from jazz_lstm.data.corpus import Corpus, prepare, tune_files
from jazz_lstm.models.base import ARCHS, KINDS, Checkpoint, kind
from jazz_lstm.models.checkpoint import load
from jazz_lstm.models.recipe.config import ModelConfig, TrainConfig


@dataclass(kw_only=True)
class TrainRequest:
    """What to train.  tunes: files and folders (searched recursively).  output: the model
    file.  kind: "auto" (chord for a folder or a leadsheet, else recipe), "chord",
    "recipe" or "transformer".  arch: the chord model's network, "lstm" or "transformer"
    (ARCHS: which kind trains it).  Options left None take the kind's default (see
    TrainConfig, CorpusTrainConfig, ChordConfig, TransformerConfig)."""

    tunes: list[str]
    output: str = "model.safetensors"
    kind: str = "auto"
    arch: str = "lstm"
    melody_track: str | None = None
    chart: Chart | None = None  # applied to every tune, or None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    windows: int = TrainConfig.windows  # recipe: random windows (the course's m); 0 = every window
    stride: int | None = None
    tx: int | None = None
    hidden: int | None = None
    layers: int | None = None
    dropout: float | None = None
    heads: int | None = None  # transformer: attention heads
    context: int | None = None  # transformer: values a step attends to
    embedding: int = ModelConfig.embedding  # recipe: 0 = one-hot input
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
    progress: object = None  # an EpochProgress (models.loop) told of each epoch, or None: silent
    save_every: int = 0  # a resumable checkpoint every this many epochs (0: at the end and on interrupt)

    def __post_init__(self):
        if self.kind != "auto" and self.kind not in KINDS:
            raise JazzError(f"the model kind must be auto, {', '.join(KINDS)} (got {self.kind!r})", field="kind")
        if not self.tunes:
            raise JazzError("no tunes to train on")
        self._resolve_kind()
        spec = kind(self.kind)
        for name in ("heads", "context"):
            if getattr(self, name) is not None and name not in spec.options:
                raise JazzError(f"--{name} is an option of the Transformer (--arch transformer), not of the {self.kind} "
                                "model", field=name)
        spec.check_request(self)
        if self.lr is not None and not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and 0 < self.lr <= 10):
            raise JazzError(f"the learning rate must be a number in (0, 10] (got {self.lr!r})", field="lr")
        if self.device not in ("auto", "cpu", "cuda"):
            raise JazzError(f"the device must be cpu, cuda or auto (got {self.device!r})", field="device")
        for name in ("epochs", "batch_size", "tx", "stride"):
            v = getattr(self, name)
            if v is not None and not 1 <= v <= 1_000_000:
                raise JazzError(f"{name.replace('_', ' ')} must be in 1..1000000 (got {v})", field=name)
        self.model_config(1)  # the model's sizes are checked before any tune is read

    def _resolve_kind(self) -> None:
        """auto: a corpus (a folder, a leadsheet) or a Transformer teaches the chord model; one tune, the
        recipe.  The chord model's kind is then the one training its --arch."""
        if self.arch not in ARCHS:
            raise JazzError(f"the architecture must be one of {', '.join(ARCHS)} (got {str(self.arch)[:20]!r})", field="arch")
        corpus = any(os.path.isdir(t) or t.lower().endswith(".ls") for t in self.tunes)
        if self.kind == "auto":
            self.kind = "chord" if corpus or self.arch != "lstm" else "recipe"
        if self.kind == "chord":
            self.kind = ARCHS[self.arch]
        elif self.arch != "lstm" and ARCHS[self.arch] != self.kind:
            raise JazzError(f"--arch {self.arch} is a network of the chord model, not of the {self.kind} model",
                            field="arch")

    def model_config(self, vocab_size: int):
        """The model config this request asks for (the kind's defaults where it is silent);
        JazzError naming the field when a size is out of bounds (the bounds `load` uses)."""
        return kind(self.kind).model_config(self, vocab_size)


def read_corpus(req: TrainRequest, on_file=None, on_skip=None) -> Corpus:
    """The request's tunes as a corpus.Corpus; on_skip(path, why) for each unreadable file."""
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


def train_files(req: TrainRequest, corpus: Corpus | None = None, resume: Checkpoint | None = None) -> Checkpoint:
    """Train the model `req` asks for (reading its tunes unless `corpus` is given; continuing
    `resume`, else what prior(req) finds)."""
    clean_temp(os.path.dirname(os.path.abspath(req.output)))  # what a killed run left half-written
    resume = resume if resume is not None else prior(req)
    corpus = corpus if corpus is not None else read_corpus(req)
    return kind(req.kind).train(req, corpus, resume)
