"""Sampling values from a trained model: greedy, temperature, top-k, top-p; seeded,
batched (N solos at once), masked by the grammar so no value overflows its bar.

    ids = sample_ids(model, n=1000, steps=50, cfg=SampleConfig(temperature=1.0))
    bars = sample_bars(model, vocab, bars=12, bar_steps=48, n=4, cfg=SampleConfig(seed=1))
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from .errors import JazzError
from .grammar import Terminal, parse_token


@dataclass
class SampleConfig:
    temperature: float = 1.0  # > 0; below 1 sharper, above 1 wilder (ignored when greedy)
    top_k: int = 0  # keep only the k most likely values (0 = all)
    top_p: float = 1.0  # keep the smallest set of values whose probability reaches p (1 = all)
    greedy: bool = False  # always take the most likely value (the recipe's argmax)
    seed: int = 0  # seeds the sampler (and the pitch choices when decoding)

    def __post_init__(self):
        if not self.temperature > 0:
            raise JazzError(f"temperature must be > 0 (got {self.temperature}); use --greedy for argmax")
        if self.top_k < 0:
            raise JazzError("top-k must be >= 0")
        if not 0 < self.top_p <= 1:
            raise JazzError(f"top-p must be in (0, 1] (got {self.top_p})")

    def to_dict(self) -> dict:
        return asdict(self)


def choose(logits: torch.Tensor, cfg: SampleConfig, gen: torch.Generator) -> torch.Tensor:
    """logits (N, V) with -inf for banned values -> ids (N,)."""
    if cfg.greedy:
        return logits.argmax(-1)
    if cfg.temperature != 1.0:
        logits = logits / cfg.temperature
    if cfg.top_k and cfg.top_k < logits.shape[-1]:
        kth = logits.topk(cfg.top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if cfg.top_p < 1.0:
        srt, order = logits.sort(dim=-1, descending=True)
        cum = srt.softmax(-1).cumsum(-1)
        drop = cum - srt.softmax(-1) >= cfg.top_p  # keep the first value that crosses p
        logits = logits.scatter(-1, order, srt.masked_fill(drop, float("-inf")))
    # inverse-CDF sampling on unnormalised weights: one exp, one cumsum, one search
    cdf = (logits - logits.max(-1, keepdim=True).values).exp_().cumsum_(-1)
    u = torch.rand(cdf.shape[0], 1, generator=gen).mul_(cdf[:, -1:])
    return torch.searchsorted(cdf, u).clamp_(max=cdf.shape[-1] - 1)[:, 0]


@torch.inference_mode()
def sample_ids(model, n: int = 1, steps: int = 50, cfg: SampleConfig | None = None, start=None) -> torch.Tensor:
    """n sequences of `steps` values from the zero input and zero state (the course's
    inference model), unmasked.  Returns ids (n, steps)."""
    cfg = cfg or SampleConfig()
    gen = torch.Generator().manual_seed(cfg.seed)
    model.eval()
    state = model.init_state(n)
    ids = torch.full((n,), model.start_id, dtype=torch.long) if start is None else start
    out = torch.empty(n, steps, dtype=torch.long)
    step = model.stepper()
    for t in range(steps):
        logits, state = step(ids, state)
        ids = choose(logits, cfg, gen)
        out[:, t] = ids
    return out


@torch.inference_mode()
def sample_bars(model, vocab, bars: int, bar_steps: int, n: int = 1, cfg: SampleConfig | None = None) -> list[list[list[str]]]:
    """n solos of `bars` bars, each bar filled exactly: values that would overflow the
    bar are masked out; the LSTM state runs on across bars (no block repeats another).

    bar_steps: bar length in grid steps (1/12 beat).  Returns [solo][bar] -> values.
    When no value of the vocabulary fits the rest of a bar, a rest of exactly that
    length closes it (it is not fed back to the model).
    """
    cfg = cfg or SampleConfig()
    if bars < 1:
        raise JazzError("bars must be >= 1")
    if n < 1:
        raise JazzError("number of outputs must be >= 1")
    gen = torch.Generator().manual_seed(cfg.seed)
    model.eval()
    dur = torch.tensor([parse_token(v).steps for v in vocab.itos])  # (V,)
    state = model.init_state(n)
    ids = torch.full((n,), model.start_id, dtype=torch.long)
    pos = torch.zeros(n, dtype=torch.long)
    bar = torch.zeros(n, dtype=torch.long)
    out: list[list[list[str]]] = [[[] for _ in range(bars)] for _ in range(n)]
    rows = np.arange(n)
    step_fn = model.stepper()
    while bool((bar < bars).any()):
        logits, new_state = step_fn(ids, state)
        remaining = bar_steps - pos
        allowed = dur[None, :] <= remaining[:, None]  # (n, V)
        pick = choose(logits.masked_fill(~allowed, float("-inf")), cfg, gen)
        stuck = ~allowed.any(-1)
        active = bar < bars
        step = torch.where(stuck, remaining, dur[pick])
        fed = active & ~stuck
        pick_np, stuck_np, active_np, rem_np, bar_np = (t.numpy() for t in (pick, stuck, active, remaining, bar))
        for r in rows[active_np]:
            b = int(bar_np[r])
            out[r][b].append(str(Terminal("R", int(rem_np[r]))) if stuck_np[r] else vocab.itos[int(pick_np[r])])
        pos = torch.where(active, pos + step, pos)
        full = pos >= bar_steps
        bar = torch.where(full, bar + 1, bar)
        pos = torch.where(full, torch.zeros_like(pos), pos)
        keep = fed[:, None]
        state = [(torch.where(keep, h1, h0), torch.where(keep, c1, c0)) for (h1, c1), (h0, c0) in zip(new_state, state)]
        ids = torch.where(fed, pick, ids)
    return out


