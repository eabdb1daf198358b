"""The Transformer as a model kind (see models.base.ModelKind): the chord model in every respect --
its corpus trainer (DDP, early stopping, resume, --device), its sampler (here through the key/value
cache), its scoring -- with a ChordTransformer for a network (`jazz-lstm train --arch transformer`)."""
from __future__ import annotations

import json

from jazz_lstm.core.errors import JazzError
from jazz_lstm.models.base import or_default as _or
from jazz_lstm.models.chord.kind import ChordKind
from jazz_lstm.models.transformer.config import TransformerConfig
from jazz_lstm.models.transformer.model import ChordTransformer


class TransformerKind(ChordKind):
    name = "transformer"
    net = ChordTransformer
    options = ("heads", "context")

    def model_config(self, req, vocab_size: int) -> TransformerConfig:
        d = TransformerConfig()
        return TransformerConfig(hidden=_or(req.hidden, d.hidden), layers=_or(req.layers, d.layers),
                                 dropout=_or(req.dropout, d.dropout), heads=_or(req.heads, d.heads),
                                 context=_or(req.context, d.context))

    def build(self, meta: dict) -> tuple[TransformerConfig, None]:
        return TransformerConfig(**{"sections": False, **json.loads(meta["config"])}), None  # (files before 0.6.0: False)

    def window(self, model_cfg: TransformerConfig) -> tuple[int, int]:
        """Windows as long as the context (so every attention span is trained), half overlapping."""
        return model_cfg.context, max(1, model_cfg.context // 2)

    def check_request(self, req) -> None:
        context = _or(req.context, TransformerConfig.context)
        if req.tx is not None and req.tx < context:
            raise JazzError(f"the training window (--tx {req.tx}) must be at least the context ({context}): attention "
                            "that far back would never be trained", field="tx")


KIND = TransformerKind()
