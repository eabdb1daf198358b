"""What every model kind shares: the records a model file holds (`Checkpoint`, `TrainFacts`),
the protocol a kind implements (`ModelKind`) and the registry of kinds (`KINDS`).

A model kind is a folder under models/ (`recipe/`, `chord/`, `transformer/`) whose `kind.py` holds `KIND`, an
object with the methods below; `KINDS` names the module for each kind's name, and `kind(name)`
imports it when first asked.  Nothing outside models/ branches on a kind's name: the model
file, the trainer, `generate` and `evaluate` call `ck.spec.<method>` (or `kind(name)`).
"""
from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Chord, Note
from jazz_lstm.grammar.vocab import Vocab

MAX_PARAMS = 64_000_000  # weights of a model (256 MB of float32): a bound shared by training and loading

# kind name (the model file's `kind`) -> the module holding its KIND
KINDS = {"recipe": "jazz_lstm.models.recipe.kind", "chord": "jazz_lstm.models.chord.kind",
         "transformer": "jazz_lstm.models.transformer.kind"}

# the chord model's networks: `train --arch` -> the kind that trains it
ARCHS = {"lstm": "chord", "transformer": "transformer"}


def kind(name: str) -> ModelKind:
    """The model kind called `name`; JazzError for a name no kind has."""
    if name not in KINDS:
        raise JazzError(f"unknown model kind {str(name)[:20]!r} (known: {', '.join(KINDS)})", field="kind")
    return importlib.import_module(KINDS[name]).KIND


def check_weights(n: int) -> None:
    """JazzError (naming `hidden`) when a config's network would have more than MAX_PARAMS weights."""
    if n > MAX_PARAMS:
        raise JazzError(f"the model would have {n / 1e6:.0f} million weights (at most {MAX_PARAMS // 10**6} million): "
                        "fewer hidden units or layers", field="hidden")


def or_default(value, default):
    """A request's option, or the kind's default when it was not given (None)."""
    return default if value is None else value


class ModelKind(Protocol):
    """One model kind: its network, how it trains, samples, scores and is stored.

    The network (`net`) follows one contract: `forward(inputs..., targets=None) -> (logits, loss)`
    (loss None without targets), and its class attribute KIND is this kind's name."""

    name: str  # the model file's `kind`
    net: type  # the torch module
    factored: bool  # values are (tone type, duration, interval) ids decoded exactly; else vocabulary strings
    loss_unit: str  # what its training loss is per ("window" or "value")
    options: tuple  # TrainRequest options only this kind reads (others refuse them): ("heads", "context")

    def model_config(self, req: Any, vocab_size: int) -> Any:
        """The network config a TrainRequest asks for (this kind's defaults where it is silent)."""

    def build(self, meta: dict[str, str]) -> tuple[Any, Vocab | None]:
        """(config, vocabulary) from a model file's header; ValueError when they are inconsistent."""

    def header(self) -> dict[str, str]:
        """Metadata this kind adds to a model file (e.g. the features version)."""

    def check_header(self, meta: dict[str, str], path: str) -> None:
        """JazzError when a model file's header was written for another version of this kind."""

    def check_request(self, req: Any) -> None:
        """JazzError when a TrainRequest asks for what this kind cannot do."""

    def train(self, req: Any, corpus: Any, resume: Checkpoint | None) -> Checkpoint:
        """Train on a data.corpus.Corpus as `req` (models.trainer.TrainRequest) asks."""

    def sample(self, ck: Checkpoint, changes: list[Chord], bars: int, beats_per_bar: float, n: int, cfg: Any,
               on_bar: Any = None, tempo: float | None = None, sections: Any = ()) -> list[tuple[list[str], list[Note]]]:
        """n solos over `changes` at `tempo` (quarter notes a minute), the form's sections starting at the
        beats `sections` (a model kind may not hear them): each its grammar values and its notes."""

    def values(self, ck: Checkpoint) -> list[list[str]]:
        """The training values as grammar-value streams (the baselines' and the guard's corpus)."""

    def value_space(self, ck: Checkpoint) -> list[str] | None:
        """The values the model can emit, when it is a vocabulary; None when any legal value is."""

    def nll(self, ck: Checkpoint, tunes: list[Any]) -> tuple[float, int]:
        """(nats per value, values covered) on encoded tunes (data.corpus.EncodedTune), teacher-forced."""

    def event_pass(self, ck: Checkpoint, tune: Any, firsts: list[int]) -> tuple:
        """Over one encoded tune: per-value NLL, which values are scored, and at each event's first
        value the likeliest interval and duration class (factored kinds only)."""

    def event_passes(self, ck: Checkpoint, tunes: list[Any], firsts: list[list[int]]) -> list[tuple]:
        """event_pass of each tune, as the kind batches them best (the same figures)."""


@dataclass
class TrainFacts:
    """What a model file says of its training (losses in nats per window for the recipe,
    per value for the chord model; seconds of wall time, summed over resumed runs)."""

    kind: str = ""  # a key of KINDS: "recipe", "chord" or "transformer"
    config: dict[str, Any] = field(default_factory=dict)  # the training config's fields
    epochs_done: int = 0  # epochs run so far (all runs together)
    steps: int = 0  # optimizer steps so far (the recipe's lr decay counts them)
    losses: list[float] = field(default_factory=list)  # training loss per epoch
    val_losses: list[float] = field(default_factory=list)  # validation loss per epoch (empty without validation)
    windows: int = 0  # training windows per epoch
    seconds: float = 0.0  # training wall time
    tunes: list[str] = field(default_factory=list)  # the training files (paths as given)
    val_tunes: list[str] = field(default_factory=list)  # the validation tunes
    corpus: dict[str, Any] = field(default_factory=dict)  # corpus.Corpus.summary(): titles, hashes, value counts
    stopped_early: int = 0  # the epoch early stopping ended at (0: it did not)
    cancelled: int = 0  # the epoch a cancel (the studio's button) ended at (0: none)
    features: str = ""  # the chord model's harmony-features version
    world_size: int = 1  # processes under torchrun
    device: str = "cpu"  # where it trained
    versions: dict[str, str] = field(default_factory=dict)  # jazz_lstm and torch versions
    data_source: str = ""  # who made the training data (a shipped model names it)
    data_license: str = ""  # and under which licence
    extra: dict[str, Any] = field(default_factory=dict)  # fields of other versions, kept as read

    def to_json(self) -> dict:
        d = asdict(self)
        return {**d.pop("extra"), **d}

    @classmethod
    def from_json(cls, data) -> TrainFacts:
        """The inverse of to_json; ValueError when it is not a JSON object of the right types."""
        if not isinstance(data, dict):
            raise ValueError("training facts must be a JSON object")
        names = {f.name: f for f in fields(cls) if f.name != "extra"}
        known = {k: v for k, v in data.items() if k in names}
        for k, v in known.items():
            want = type(getattr(cls(), k))
            if want is float and isinstance(v, int):
                continue
            if not isinstance(v, want) or isinstance(v, bool):
                raise ValueError(f"training fact {k!r} must be {want.__name__} (got {type(v).__name__})")
        return cls(**known, extra={k: v for k, v in data.items() if k not in names})


@dataclass
class Checkpoint:
    """A model with its vocabulary and what it was trained on.

    chart: the (first) training tune's changes, metre, tempo and the soloists' register:
    the default changes for `generate`.  train: the training facts.
    corpus: the training value streams as lists of ids.
    """

    model: Any  # the kind's torch module (recipe.model.JazzLSTM, chord.model.ChordLSTM, ...): its class names its KIND
    vocab: Vocab | None  # None for a chord model (its values are factored, see features.py)
    chart: Chart = field(default_factory=Chart)
    train: TrainFacts = field(default_factory=TrainFacts)
    corpus: list[list[int]] = field(default_factory=list)
    optim: dict[str, Any] = field(default_factory=dict)  # torch Adam state_dict, or {}
    path: str = ""
    sha256: str = ""

    @property
    def kind(self) -> str:
        """The model kind's name (a key of KINDS), as its network's class declares it."""
        return type(self.model).KIND

    @property
    def weights(self) -> int:
        """How many weights the network has."""
        return sum(p.numel() for p in self.model.parameters())

    @property
    def spec(self) -> ModelKind:
        """The model kind: everything that differs between kinds goes through it."""
        return kind(self.kind)


