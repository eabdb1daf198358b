"""The chord-aware model: factored values in, the harmony beside them, factored values out.

    model = ChordLSTM(ChordConfig())
    logits, loss = model(ids, cond, targets, legal)   # ids, targets (B, T, 3); cond (B, T, COND_DIM)

Each step reads the previous value (type, duration and interval embedded separately)
and what a soloist knows at this onset (features.harmony_features: the chord and its
alterations, the next chord, the beat, the time to the next change); an `nn.LSTM`
(cuDNN on CUDA) carries the line; three heads predict the next value factor by factor:
p(type) p(duration | type) p(interval | type, duration), each under the grammar's mask
(features.legality: no value crosses its bar line, a note after a note has an interval
that lands on a pitch of its type over the chord, a tie only on a bar line after a note).
Torch only; no music.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from jazz_lstm.grammar.features import CHORD_BITS, INT_MAX, N_DUR, N_INT, N_TYPE, PREV_BITS, SCALE_BITS, TYPES
from jazz_lstm.models.chord.config import LINE_DIM, ChordConfig

NEG = -1e9  # logit of an illegal class (finite: a row with one legal class stays well defined)
_T = TYPES.index("T")
_NOTE = [TYPES.index(t) for t in "CSAX"]


def tone_types(cond: torch.Tensor) -> torch.Tensor:
    """(..., 12) the tone type (0 C, 1 S, 2 A, 3 X; harmony.tone_type's rule) of each pitch
    class counted from the chord's root, read off the features' chord and scale bits."""
    chord, scale = cond[..., CHORD_BITS] > 0.5, cond[..., SCALE_BITS] > 0.5
    near = chord.roll(1, -1) | chord.roll(-1, -1)
    types = torch.full(chord.shape, 3, dtype=torch.long, device=cond.device)
    types[near] = 2
    types[scale] = 1
    types[chord] = 0
    return types




def line_features(cond: torch.Tensor) -> torch.Tensor:
    """(..., LINE_DIM) what the last pitch is over the current chord, read off the features:
    its tone type (C S A X, one-hot; zeros before the first note) and whether a chord tone lies a
    semitone above, a semitone below, a tone above, a tone below it -- where a line resolves to."""
    prev = cond[..., PREV_BITS]
    has = (prev.sum(-1, keepdim=True) > 0.5).to(cond.dtype)
    at = prev.argmax(-1, keepdim=True)
    ptype = F.one_hot(tone_types(cond).gather(-1, at)[..., 0], 4).to(cond.dtype)
    chord = (cond[..., CHORD_BITS] > 0.5).to(cond.dtype)
    near = [chord.roll(-d, -1).gather(-1, at) for d in (1, -1, 2, -2)]  # chord[(prev + d) % 12]
    return torch.cat([ptype] + near, -1) * has


def type_mask(cond: torch.Tensor, legal: torch.Tensor, types: torch.Tensor | None = None) -> torch.Tensor:
    """(..., N_TYPE): a tie only where one may come; a note type only if some pitch over this chord has it.
    types: tone_types(cond), when the caller has it."""
    types = tone_types(cond) if types is None else types
    ok = torch.ones(*legal.shape[:-1], N_TYPE, dtype=torch.bool, device=legal.device)
    for t in range(len(_NOTE)):
        ok[..., t] = (types == t).any(-1)
    ok[..., _T] = legal[..., 2] > 0
    return ok


def dur_mask(legal: torch.Tensor) -> torch.Tensor:
    """(..., N_DUR): no value longer than what is left of its bar."""
    return torch.arange(1, N_DUR + 1, device=legal.device) <= legal[..., :1]


def int_mask(cond: torch.Tensor, legal: torch.Tensor, ty: torch.Tensor, types: torch.Tensor | None = None) -> torch.Tensor:
    """(..., N_INT): a note after a note takes an interval landing on a pitch of its own type
    (the type is what the pitch is over the chord); anything else takes 'none'.  types: tone_types(cond)."""
    wants = ((ty >= 0) & (ty < len(_NOTE)) & (legal[..., 1] > 0)).unsqueeze(-1)
    prev = cond[..., PREV_BITS].argmax(-1)  # the last pitch over this chord's root
    q = (prev.unsqueeze(-1) + torch.arange(-INT_MAX, INT_MAX + 1, device=cond.device)) % 12
    lands = (tone_types(cond) if types is None else types).gather(-1, q) == ty.clamp(min=0).unsqueeze(-1)
    lands = lands | ~lands.any(-1, keepdim=True)  # (no such pitch: any interval, never a dead end)
    none = torch.arange(N_INT, device=cond.device) == 0
    return torch.where(wants, torch.cat([torch.zeros_like(lands[..., :1]), lands], -1), none)


def legal_logits(type_logits, dur_logits, int_logits, legal, ty, cond):
    """Apply the grammar's masks.  legal (..., 3): steps left in the bar, has a previous
    pitch, a tie may come; ty (...): the type the duration and interval belong to."""
    return (type_logits.masked_fill(~type_mask(cond, legal), NEG), dur_logits.masked_fill(~dur_mask(legal), NEG),
            int_logits.masked_fill(~int_mask(cond, legal, ty), NEG))


class FactoredNet(nn.Module):
    """What every network over factored values shares: the value-factor embeddings, the three heads
    under the grammar's masks, the loss.  A subclass sets up its core between `_embeddings` and
    `_heads` (so the parameters keep their order in model files) and defines
    `hidden(ids, cond, state=None) -> (top outputs (B, T, H), new state)`; the state is its own
    (the sampler only hands it back, one step at a time)."""

    def _embeddings(self, cfg) -> int:
        """The value-factor embeddings; returns the width of a step's input (embeddings, harmony, line)."""
        # index N_* of each table is the start symbol (nothing played yet)
        self.type_emb = nn.Embedding(N_TYPE + 1, cfg.type_emb)
        self.dur_emb = nn.Embedding(N_DUR + 1, cfg.dur_emb)
        self.int_emb = nn.Embedding(N_INT + 1, cfg.int_emb)
        return cfg.type_emb + cfg.dur_emb + cfg.int_emb + cfg.cond_dim + LINE_DIM

    def _heads(self, cfg, H: int) -> None:
        """The type, duration and interval heads over the core's H outputs."""
        self.type_head = nn.Linear(H, N_TYPE)
        self.dur_head = nn.Linear(H + cfg.type_emb, N_DUR)
        self.int_head = nn.Linear(H + cfg.type_emb + cfg.dur_emb, N_INT)

    @staticmethod
    def start_ids(batch: int, device=None) -> torch.Tensor:
        """(B, 3) the start symbol: what the first step reads as 'previous value'."""
        return torch.tensor([N_TYPE, N_DUR, N_INT], device=device).repeat(batch, 1)

    def embed(self, ids: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """ids (B, T, 3), cond (B, T, C) -> the core's input (B, T, n_in).  A model reads the first
        cfg.cond_dim features (one made before the time features: the harmony and the line only)."""
        cond = cond[..., :self.cfg.cond_dim]
        return torch.cat([self.type_emb(ids[..., 0]), self.dur_emb(ids[..., 1]), self.int_emb(ids[..., 2]), cond,
                          line_features(cond)], -1)

    def dur_logits(self, h, ty):
        """Duration logits (.., N_DUR) given the type `ty` (.., ) it belongs to."""
        return self.dur_head(torch.cat([h, self.type_emb(ty.clamp(min=0))], -1))

    def int_logits(self, h, ty, dur):
        """Interval logits (.., N_INT) given the type and the duration class."""
        return self.int_head(torch.cat([h, self.type_emb(ty.clamp(min=0)), self.dur_emb(dur.clamp(min=0))], -1))

    def heads(self, h, ty, dur=None):
        """Logits for the type (.., N_TYPE), and given `ty` the duration (.., N_DUR), and
        given `dur` too the interval (.., N_INT); `dur` None skips the interval head."""
        return self.type_head(h), self.dur_logits(h, ty), None if dur is None else self.int_logits(h, ty, dur)

    def forward(self, ids, cond, targets=None, legal=None, state=None):
        """ids (B, T, 3) the previous values' factors; cond (B, T, C); targets (B, T, 3),
        -1 for no target; legal (B, T, 3) (features.legality) masks the logits.
        Returns ((type (B, T, 6), duration (B, T, 96), interval (B, T, 74)) logits, loss):
        the loss is the negative log-likelihood in nats per value (the three factors
        summed), averaged over the values with a target.  Without targets, only the
        type logits are meaningful (the other heads need the type they belong to)."""
        h, _ = self.hidden(ids, cond, state)
        ty = targets[..., 0] if targets is not None else self.type_head(h).argmax(-1)
        du = targets[..., 1] if targets is not None else None
        logits = self.heads(h, ty, du)
        if legal is not None and logits[2] is not None:
            logits = legal_logits(*logits, legal, ty, cond)
        if targets is None:
            return logits, None
        keep = targets[..., 0] >= 0
        nll = sum(F.cross_entropy(lg[keep], targets[..., k][keep], reduction="sum") for k, lg in enumerate(logits))
        return logits, nll / keep.sum().clamp(min=1)

    @torch.no_grad()
    def nll_per_value(self, ids, cond, targets, legal, h=None) -> torch.Tensor:
        """(B, T) negative log-likelihood of each target value in nats (0 where none); h: the
        hidden outputs (B, T, H) when the caller has them (the same as forward's)."""
        if h is None:
            logits, _ = self.forward(ids, cond, targets, legal)
        else:
            ty = targets[..., 0]
            logits = legal_logits(*self.heads(h, ty, targets[..., 1]), legal, ty, cond)
        keep = targets[..., 0] >= 0
        t = targets.clamp(min=0)
        out = sum(-lg.log_softmax(-1).gather(-1, t[..., k:k + 1])[..., 0] for k, lg in enumerate(logits))
        return out * keep


class ChordLSTM(FactoredNet):
    """(previous value factors, harmony) -> logits over the next value's factors, through an nn.LSTM."""
    KIND = "chord"  # the model kind (models.base.KINDS)

    def __init__(self, cfg: ChordConfig):
        super().__init__()
        self.cfg = cfg
        n_in = self._embeddings(cfg)
        self.lstm = nn.LSTM(n_in, cfg.hidden, cfg.layers, batch_first=True,
                            dropout=cfg.dropout if cfg.layers > 1 else 0.0)
        self.drop = nn.Dropout(cfg.dropout)
        self._heads(cfg, cfg.hidden)

    def hidden(self, ids, cond, state=None):
        """-> top-layer outputs (B, T, H) and the new (h, c) state."""
        out, state = self.lstm(self.embed(ids, cond), state)
        return self.drop(out), state
