"""The chord model's settings, torch-free (the CLI reads its defaults for --help): the
network's sizes (`ChordConfig`) and corpus training (`CorpusTrainConfig`), a comment per field."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from jazz_lstm.core.errors import JazzError, check_fraction, check_number, check_sizes
from jazz_lstm.grammar.features import COND_DIM
from jazz_lstm.models.base import check_weights

LINE_DIM = 8  # line_features per step


@dataclass
class ChordConfig:
    hidden: int = 256  # LSTM units per layer
    layers: int = 2  # stacked LSTM layers
    dropout: float = 0.5  # between layers and before the heads (0.5 generalised best on the shared solos)
    type_emb: int = 8  # embedding size of the value's type
    dur_emb: int = 24  # embedding size of its duration class
    int_emb: int = 24  # embedding size of its interval class
    cond_dim: int = COND_DIM  # features read per step: features.COND_DIM (harmony, line, time); a model made
    # before the time features reads the first features.HARMONY_COND_DIM
    sections: bool = True  # the bar's place in its group of four counted from the form's section starts where the
    # tune says (features.bar_in_section); False: from bar 0 -- how the model files made before 0.6.0 heard it

    def __post_init__(self):
        check_sizes(self, hidden=(1, 4096), layers=(1, 8), type_emb=(1, 4096), dur_emb=(1, 4096), int_emb=(1, 4096),
                    cond_dim=(1, 4096))
        check_fraction(self, "dropout")
        inp = self.type_emb + self.dur_emb + self.int_emb + self.cond_dim + LINE_DIM
        n = 4 * self.hidden * (inp + self.hidden + 2) + (self.layers - 1) * 4 * self.hidden * (2 * self.hidden + 2)
        check_weights(n)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CorpusTrainConfig:
    Tx: int = 64  # window length in values
    stride: int = 32  # distance between window starts, in values
    epochs: int = 40  # passes over the training windows
    batch_size: int = 32  # windows per optimizer step (the global batch under DDP)
    lr: float = 3e-3  # Adam learning rate
    clip: float = 1.0  # gradient norm clipping
    val_fraction: float = 0.1  # share of tunes held out for validation (needs 2+ tunes)
    patience: int = 6  # stop after this many epochs without a better validation loss (0 = never)
    seed: int = 0  # seeds the weights, the window order and the split
    threads: int = 0  # torch and BLAS threads (0 = auto: 1 per process under torchrun, else up to 4 cores)
    device: str = "auto"  # cpu, cuda or auto
    save_every: int = 0  # write a resumable checkpoint every this many epochs (0: at the end and on interrupt only)

    def __post_init__(self):
        check_sizes(self, Tx=(2, 1_000_000), stride=(1, 1_000_000), epochs=(1, 1_000_000), batch_size=(1, 1_000_000),
                    patience=(0, 1_000_000), threads=(0, 256), save_every=(0, 1_000_000))
        check_number(self, "lr", 0, 10, low_open=True)
        check_number(self, "clip", 0, 1e6, low_open=True)
        check_fraction(self, "val_fraction")
        if self.device not in ("auto", "cpu", "cuda"):
            raise JazzError(f"device must be cpu, cuda or auto (got {self.device!r})", field="device")
