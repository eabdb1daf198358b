"""The Transformer's sizes, torch-free (the CLI reads its defaults for --help), a comment per field."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from jazz_lstm.core.errors import JazzError, check_fraction, check_sizes
from jazz_lstm.grammar.features import COND_DIM
from jazz_lstm.models.base import check_weights
from jazz_lstm.models.chord.config import LINE_DIM


@dataclass
class TransformerConfig:
    hidden: int = 128  # width of the residual stream (d_model)
    layers: int = 4  # pre-norm blocks
    heads: int = 4  # attention heads per block (hidden / heads must be even: rotary positions turn pairs)
    context: int = 64  # values a step attends to, itself included (training windows are at least this long)
    mlp: int = 4  # the feed-forward layer's width, in multiples of hidden
    dropout: float = 0.3  # on attention weights, block outputs and before the heads
    # (sizes chosen on the WJazzD model's validation tunes, benchmarks/bench_models.py --sweep: 128 x 4 blocks at
    # dropout 0.3 reached 3.468 nats/value, at 0.1 3.477, 192 x 4 at 0.2 3.505, context 128 at 0.2 3.472)
    type_emb: int = 8  # embedding size of the value's type
    dur_emb: int = 24  # embedding size of its duration class
    int_emb: int = 24  # embedding size of its interval class
    cond_dim: int = COND_DIM  # features read per step: features.COND_DIM (harmony, line, time); a model made
    # before the time features reads the first features.HARMONY_COND_DIM
    sections: bool = True  # the bar's place in its group of four counted from the form's section starts where the
    # tune says (features.bar_in_section); False: from bar 0 -- how the model files made before 0.6.0 heard it

    def __post_init__(self):
        check_sizes(self, hidden=(2, 4096), layers=(1, 48), heads=(1, 64), context=(1, 100_000), mlp=(1, 16),
                    type_emb=(1, 4096), dur_emb=(1, 4096), int_emb=(1, 4096), cond_dim=(1, 4096))
        check_fraction(self, "dropout")
        if self.hidden % self.heads or (self.hidden // self.heads) % 2:
            raise JazzError(f"hidden ({self.hidden}) must split into {self.heads} heads of an even size", field="heads")
        inp = self.type_emb + self.dur_emb + self.int_emb + self.cond_dim + LINE_DIM
        H = self.hidden
        check_weights(inp * H + self.layers * (4 * H * H + 2 * self.mlp * H * H + (9 + self.mlp) * H))

    @property
    def head_size(self) -> int:
        return self.hidden // self.heads

    def to_dict(self) -> dict:
        return asdict(self)
