"""The chord model's Transformer: the same inputs, heads and masks as chord.model.ChordLSTM
(see chord.model.FactoredNet) around a causal Transformer in nanoGPT's shape.

    model = ChordTransformer(TransformerConfig())
    logits, loss = model(ids, cond, targets, legal)   # ids, targets (B, T, 3); cond (B, T, COND_DIM)

A step's input (its value-factor embeddings, the harmony, the line features) is projected to
`hidden`; pre-norm blocks (LayerNorm -> causal self-attention -> residual, LayerNorm -> MLP ->
residual); a final LayerNorm; the factored heads.  Positions are rotary (RoPE), so attention
sees only how far back a value lies: every position attends to the `context` values up to and
including itself, in training and in sampling alike, and a solo can run past any training
window.  Sampling steps one value at a time through a key/value cache, a ring of `context`
slots per layer: a sampled value costs one step however long the solo has grown.
Torch only; no music.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from jazz_lstm.models.chord.model import FactoredNet
from jazz_lstm.models.transformer.config import TransformerConfig


def rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotary positions: x (B, nh, T, d) with its two halves turned by the angles (T, d/2)."""
    a, b = x.chunk(2, -1)
    return torch.cat([a * cos - b * sin, a * sin + b * cos], -1)


class Attention(nn.Module):
    """Multi-head causal self-attention over the last `context` positions."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.heads, self.dropout = cfg.heads, cfg.dropout
        self.qkv = nn.Linear(cfg.hidden, 3 * cfg.hidden)
        self.proj = nn.Linear(cfg.hidden, cfg.hidden)
        self.out_drop = nn.Dropout(cfg.dropout)

    def _qkv(self, x, cos, sin):
        B, T, H = x.shape
        q, k, v = (t.view(B, T, self.heads, H // self.heads).transpose(1, 2) for t in self.qkv(x).split(H, -1))
        return rotate(q, cos, sin), rotate(k, cos, sin), v  # (B, nh, T, d) each

    def _out(self, y):  # (B, nh, T, d) -> (B, T, H)
        B, nh, T, d = y.shape
        return self.out_drop(self.proj(y.transpose(1, 2).reshape(B, T, nh * d)))

    def forward(self, x, cos, sin, mask):
        """x (B, T, H) at positions 0..T-1; mask (T, T) True where a query may attend, or None: causal."""
        q, k, v = self._qkv(x, cos, sin)
        drop = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop, is_causal=mask is None)
        return self._out(y)

    def step(self, x, cos, sin, keys, values, slot: int, filled: int):
        """x (B, 1, H) at one position: its key and value go into ring slot `slot` of keys/values
        (B, nh, context, d); the query attends to the `filled` slots in use."""
        q, k, v = self._qkv(x, cos, sin)
        keys[:, :, slot], values[:, :, slot] = k[:, :, 0], v[:, :, 0]
        y = F.scaled_dot_product_attention(q, keys[:, :, :filled], values[:, :, :filled])
        return self._out(y)


class Block(nn.Module):
    """Pre-norm: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.hidden)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.hidden)
        self.mlp = nn.Sequential(nn.Linear(cfg.hidden, cfg.mlp * cfg.hidden), nn.GELU(),
                                 nn.Linear(cfg.mlp * cfg.hidden, cfg.hidden), nn.Dropout(cfg.dropout))

    def forward(self, x, cos, sin, mask):
        x = x + self.attn(self.ln1(x), cos, sin, mask)
        return x + self.mlp(self.ln2(x))

    def step(self, x, cos, sin, keys, values, slot, filled):
        x = x + self.attn.step(self.ln1(x), cos, sin, keys, values, slot, filled)
        return x + self.mlp(self.ln2(x))


class ChordTransformer(FactoredNet):
    """(previous value factors, harmony) -> logits over the next value's factors, through a causal Transformer."""
    KIND = "transformer"  # the model kind (models.base.KINDS)

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        n_in = self._embeddings(cfg)
        self.inp = nn.Linear(n_in, cfg.hidden)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.ln_f = nn.LayerNorm(cfg.hidden)
        self.drop = nn.Dropout(cfg.dropout)
        self._heads(cfg, cfg.hidden)
        d = cfg.head_size
        self.register_buffer("inv_freq", 1.0 / 10000 ** (torch.arange(0, d, 2).float() / d), persistent=False)
        self.cache = True  # sample through the key/value cache (False: recompute the whole prefix each step)
        self.apply(self._init)
        for b in self.blocks:  # nanoGPT's scaled init of the residual projections
            nn.init.normal_(b.attn.proj.weight, std=0.02 / math.sqrt(2 * cfg.layers))
            nn.init.normal_(b.mlp[2].weight, std=0.02 / math.sqrt(2 * cfg.layers))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def _angles(self, positions: torch.Tensor):
        """(cos, sin), each (T, d/2), for the positions (T,)."""
        a = positions.to(self.inv_freq.dtype)[:, None] * self.inv_freq[None]
        return a.cos(), a.sin()

    def hidden(self, ids, cond, state=None):
        """ids (B, T, 3), cond (B, T, C) -> top outputs (B, T, H) and the state to step on from.
        T > 1 without a state: the whole sequence at once (training, scoring), no state back.
        One step (T == 1): the cache (None to start a solo) is handed back grown by that step."""
        if ids.shape[1] == 1 or state is not None:
            return self._step(ids, cond, state) if self.cache else self._recompute(ids, cond, state)
        return self._full(ids, cond), None

    def _full(self, ids, cond):
        T, C = ids.shape[1], self.cfg.context
        x = self.inp(self.embed(ids, cond))  # (B, T, H)
        cos, sin = self._angles(torch.arange(T, device=ids.device))
        mask = None
        if T > C:  # a band: each query sees the `context` positions up to itself
            i = torch.arange(T, device=ids.device)
            mask = (i[None, :] <= i[:, None]) & (i[None, :] > i[:, None] - C)
        for b in self.blocks:
            x = b(x, cos, sin, mask)
        return self.drop(self.ln_f(x))

    def _recompute(self, ids, cond, state):
        """A step without the cache: the whole prefix through the network again (for tests and benchmarks)."""
        if state is not None:
            ids, cond = torch.cat([state[0], ids], 1), torch.cat([state[1], cond], 1)
        return self._full(ids, cond)[:, -1:], (ids, cond)

    def _step(self, ids, cond, cache):
        B, C = ids.shape[0], self.cfg.context
        if cache is None:
            shape = (B, self.cfg.heads, C, self.cfg.head_size)
            cache = {"pos": 0, "keys": [self.inv_freq.new_zeros(shape) for _ in self.blocks],
                     "values": [self.inv_freq.new_zeros(shape) for _ in self.blocks]}
        pos = cache["pos"]
        cos, sin = self._angles(torch.tensor([pos], device=ids.device))
        x = self.inp(self.embed(ids, cond))  # (B, 1, H)
        for b, k, v in zip(self.blocks, cache["keys"], cache["values"]):
            x = b.step(x, cos, sin, k, v, pos % C, min(pos + 1, C))
        cache["pos"] = pos + 1
        return self.drop(self.ln_f(x)), cache
