"""Sampling values from a trained model: greedy, temperature, top-k, top-p; seeded,
batched (N solos at once), filling every bar exactly (a value that would overflow
its bar is split with a tie, or masked out).

    ids = sample_ids(model, n=1000, steps=50, cfg=SampleConfig(temperature=1.0))
    bars = sample_bars(model, vocab, bars=12, bar_steps=48, n=4, cfg=SampleConfig(seed=1))
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from jazz_lstm.core.errors import JazzError
from jazz_lstm.grammar.codec import Terminal, parse_token

CHORD_TEMPERATURE = 0.8  # the chord model's default: on held-out tunes its voice leading came closest to the humans' medians there


@dataclass
class SampleConfig:
    temperature: float | None = None  # > 0; below 1 sharper, above 1 wilder (ignored when greedy); None: the model
    # kind's default -- 1.0 for recipe models, CHORD_TEMPERATURE for chord models
    top_k: int = 0  # keep only the k most likely values (0 = all)
    top_p: float = 1.0  # keep the smallest set of values whose probability reaches p (1 = all)
    greedy: bool = False  # always take the most likely value (the recipe's argmax)
    seed: int = 0  # seeds the sampler (and the pitch choices when decoding)
    max_copy: int = 8  # novelty guard: never copy more than this many training values in a row (0 = off)
    fit: str = "split"  # a value longer than the rest of the bar: "split" it with a tie, or "mask" it out
    beam: int = 0  # > 0: beam search of this width, bar by bar, instead of sampling (one solo, no seed)

    def __post_init__(self):
        if self.temperature is not None and not self.temperature > 0:
            raise JazzError(f"temperature must be > 0 (got {self.temperature}); use greedy decoding for argmax",
                            field="temperature")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not -2**63 <= self.seed < 2**64:
            raise JazzError(f"the seed must be a whole number in -2^63..2^64-1 (got {self.seed})", field="seed")
        if self.top_k < 0:
            raise JazzError("top-k must be >= 0", field="top_k")
        if not 0 < self.top_p <= 1:
            raise JazzError(f"top-p must be in (0, 1] (got {self.top_p})", field="top_p")
        if self.max_copy < 0:
            raise JazzError("max-copy must be >= 0 (0 = off)")
        if self.beam < 0:
            raise JazzError("beam width must be >= 0 (0 = sample)")
        if self.fit not in ("split", "mask"):
            raise JazzError(f"fit must be 'split' or 'mask' (got {self.fit!r})")

    def to_dict(self) -> dict:
        return asdict(self)


def choose(logits: torch.Tensor, cfg: SampleConfig, gen: torch.Generator) -> torch.Tensor:
    """logits (N, V) with -inf for banned values -> ids (N,)."""
    if cfg.greedy:
        return logits.argmax(-1)
    if cfg.temperature not in (None, 1.0):
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
def sample_bars(model, vocab, bars: int, bar_steps: int, n: int = 1, cfg: SampleConfig | None = None,
                corpus: list[list[int]] | None = None, on_bar=None) -> list[list[list[str]]]:
    """n solos of `bars` bars, each bar filled exactly; the LSTM state runs on across
    bars (no block repeats another).  A value longer than the rest of its bar is split
    at the bar line, its tail played as a tie (T) or rest in the next bar (cfg.fit =
    "split"; the model has seen the whole value), or masked out beforehand ("mask").

    bar_steps: bar length in grid steps (1/12 beat).  Returns [solo][bar] -> values.
    When no value of the vocabulary fits the rest of a bar, a rest of exactly that
    length closes it (it is not fed back to the model).  With cfg.max_copy = K and the
    training `corpus` (id streams), no run of more than K values copies the corpus.
    on_bar(bars_done, bars): progress.
    """
    cfg = cfg or SampleConfig()
    if bars < 1:
        raise JazzError("bars must be >= 1")
    if n < 1:
        raise JazzError("number of outputs must be >= 1")
    gen = torch.Generator().manual_seed(cfg.seed)
    model.eval()
    terms = [parse_token(v) for v in vocab.itos]
    dur = torch.tensor([t.steps for t in terms])  # (V,)
    state = model.init_state(n)
    ids = torch.full((n,), model.start_id, dtype=torch.long)
    pos, bar = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    carry, carry_type = np.zeros(n, dtype=np.int64), ["T"] * n  # the part of a value left for the next bar
    out: list[list[list[str]]] = [[[] for _ in range(bars)] for _ in range(n)]
    step_fn = model.stepper()
    guard = None
    if cfg.max_copy and corpus:
        from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton

        sam = SuffixAutomaton(corpus)
        guard = [CopyTracker(sam) for _ in range(n)]
    while (bar < bars).any():
        if on_bar is not None:
            on_bar(int(bar.min()), bars)
        logits, new_state = step_fn(ids, state)
        remaining = bar_steps - pos
        if cfg.fit == "mask":
            allowed = dur[None, :] <= torch.from_numpy(remaining)[:, None]  # (n, V)
        else:
            allowed = torch.ones(n, len(terms), dtype=torch.bool)
        if guard is not None:
            for r, g in enumerate(guard):
                allowed[r] = g.restrict(allowed[r], cfg.max_copy)
        pick = choose(logits.masked_fill(~allowed, float("-inf")), cfg, gen).numpy()
        stuck = (~allowed.any(-1)).numpy()
        fed = np.zeros(n, dtype=bool)
        for r in np.nonzero(bar < bars)[0]:
            rem, b = int(remaining[r]), int(bar[r])
            if carry[r]:  # finish a value that ran over the bar line: a tie (or more rest)
                take = min(int(carry[r]), rem)
                out[r][b].append(str(Terminal(carry_type[r], take)))
                carry[r] -= take
            elif stuck[r]:
                take = rem
                out[r][b].append(str(Terminal("R", rem)))
                if guard is not None:
                    guard[r].reset()
            else:
                term, take, fed[r] = terms[pick[r]], min(terms[pick[r]].steps, rem), True
                if term.steps > rem:  # split at the bar line; the model has seen the whole value
                    out[r][b].append(str(Terminal(term.type, rem, term.window)))
                    carry[r], carry_type[r] = term.steps - rem, ("R" if term.type == "R" else "T")
                else:
                    out[r][b].append(vocab.itos[pick[r]])
                if guard is not None:
                    guard[r].feed(int(pick[r]))
            pos[r] += take
            if pos[r] >= bar_steps:
                bar[r], pos[r] = bar[r] + 1, 0
        keep = torch.from_numpy(fed)[:, None]
        state = [(torch.where(keep, h1, h0), torch.where(keep, c1, c0)) for (h1, c1), (h0, c0) in zip(new_state, state)]
        ids = torch.where(torch.from_numpy(fed), torch.from_numpy(pick), ids)
    return out


