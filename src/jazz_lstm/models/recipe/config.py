"""The recipe's settings, torch-free (the CLI reads its defaults for --help): the network's
sizes (`ModelConfig`) and training (`TrainConfig`), a comment per field."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from jazz_lstm.core.errors import check_fraction, check_number, check_sizes
from jazz_lstm.models.base import check_weights


def param_count(vocab: int, hidden: int, layers: int, embedding: int = 0) -> int:
    """Weights of the recipe's network with these sizes (JazzLSTM)."""
    inp = embedding or vocab
    lstm = 4 * hidden * (inp + hidden + 2) + (layers - 1) * 4 * hidden * (2 * hidden + 2)
    return lstm + vocab * embedding + hidden * vocab + vocab


@dataclass
class ModelConfig:
    vocab_size: int  # number of grammar values (the course's n_values)
    hidden: int = 64  # LSTM units per layer (the course's n_a)
    layers: int = 1  # stacked LSTM layers (the recipe: 1)
    dropout: float = 0.0  # dropout between layers and before the Dense layer (the recipe: 0)
    embedding: int = 0  # 0: one-hot input, as in the recipe; > 0: a learned embedding of this size

    def __post_init__(self):
        check_sizes(self, vocab_size=(1, 1_000_000), hidden=(1, 4096), layers=(1, 8), embedding=(0, 4096))
        check_fraction(self, "dropout")
        n = param_count(self.vocab_size, self.hidden, self.layers, self.embedding)
        check_weights(n)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainConfig:
    Tx: int = 30  # window length in values (the course's Tx)
    windows: int = 60  # the recipe: this many windows at random starts (the course's m); 0 = every window
    stride: int = 1  # with windows=0: distance between window starts
    epochs: int = 100  # passes over the windows (total, also when resuming)
    batch_size: int = 32  # windows per Adam step
    lr: float = 0.01  # Adam learning rate
    beta1: float = 0.9  # Adam beta 1
    beta2: float = 0.999  # Adam beta 2
    decay: float = 0.01  # Keras-style decay: lr / (1 + decay * step)
    val_fraction: float = 0.0  # share of tunes held out for validation (needs 2+ tunes)
    patience: int = 0  # stop after this many epochs without a better validation loss (0 = never)
    seed: int = 0  # seeds window shuffling and the initial weights
    squeeze: int = 0  # keep at most this many empty bars in a row (0 = keep them all: solos breathe)
    threads: int = 1  # torch and BLAS threads, limited together (1: fastest for this small network, and reproducible)
    save_every: int = 0  # write a resumable checkpoint every this many epochs (0: at the end and on interrupt only)

    def __post_init__(self):
        check_sizes(self, Tx=(2, 1_000_000), windows=(0, 1_000_000), stride=(1, 1_000_000), epochs=(1, 1_000_000),
                    batch_size=(1, 1_000_000), patience=(0, 1_000_000), squeeze=(0, 1_000_000), threads=(1, 256),
                    save_every=(0, 1_000_000))
        check_number(self, "lr", 0, 10, low_open=True)
        check_number(self, "decay", 0, 1e6)
        check_fraction(self, "val_fraction")
