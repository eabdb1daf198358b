"""Sampling the recipe's model: seeded, batched (N solos at once), filling every bar exactly
(a value that would overflow its bar is split with a tie, or masked out).

    ids = sample_ids(model, n=1000, steps=50, cfg=SampleConfig(temperature=1.0))
    bars = sample_bars(model, vocab, bars=12, bar_steps=48, n=4, cfg=SampleConfig(seed=1))
"""
from __future__ import annotations

import numpy as np
import torch

from jazz_lstm.core.errors import JazzError
from jazz_lstm.grammar.codec import Terminal, parse_token
from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton
from jazz_lstm.models.sample import SampleConfig, choose


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
    fill = _BarFill(n, bars, bar_steps, vocab, terms, corpus if cfg.max_copy else None)
    step_fn = model.stepper()
    while (fill.bar < bars).any():
        if on_bar is not None:
            on_bar(int(fill.bar.min()), bars)
        logits, new_state = step_fn(ids, state)
        remaining = bar_steps - fill.pos
        if cfg.fit == "mask":
            allowed = dur[None, :] <= torch.from_numpy(remaining)[:, None]  # (n, V)
        else:
            allowed = torch.ones(n, len(terms), dtype=torch.bool)
        if fill.guard is not None:
            for r, g in enumerate(fill.guard):
                allowed[r] = g.restrict(allowed[r], cfg.max_copy)
        pick = choose(logits.masked_fill(~allowed, float("-inf")), cfg, gen).numpy()
        stuck = (~allowed.any(-1)).numpy()
        fed = np.zeros(n, dtype=bool)
        for r in np.nonzero(fill.bar < bars)[0]:
            fed[r] = fill.place(r, int(pick[r]), bool(stuck[r]), int(remaining[r]))
        keep = torch.from_numpy(fed)[:, None]
        state = [(torch.where(keep, h1, h0), torch.where(keep, c1, c0)) for (h1, c1), (h0, c0) in zip(new_state, state)]
        ids = torch.where(torch.from_numpy(fed), torch.from_numpy(pick), ids)
    return fill.out


class _BarFill:
    """sample_bars' solos as they fill: where each stands (bar, pos), the part of a value left
    for the next bar (carry), the values per bar (out) and the novelty guard's trackers."""

    def __init__(self, n: int, bars: int, bar_steps: int, vocab, terms, corpus):
        self.bar_steps, self.vocab, self.terms = bar_steps, vocab, terms
        self.pos, self.bar = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        self.carry, self.carry_type = np.zeros(n, dtype=np.int64), ["T"] * n
        self.out: list[list[list[str]]] = [[[] for _ in range(bars)] for _ in range(n)]
        self.guard = None
        if corpus:
            sam = SuffixAutomaton(corpus)
            self.guard = [CopyTracker(sam) for _ in range(n)]

    def place(self, r: int, pick: int, stuck: bool, rem: int) -> bool:
        """Solo r's next value (`pick`, or a carried tie, or a closing rest when nothing fits);
        True when `pick` was taken (and so is fed to the model)."""
        b, fed = int(self.bar[r]), False
        if self.carry[r]:  # finish a value that ran over the bar line: a tie (or more rest)
            take = min(int(self.carry[r]), rem)
            self.out[r][b].append(str(Terminal(self.carry_type[r], take)))
            self.carry[r] -= take
        elif stuck:
            take = rem
            self.out[r][b].append(str(Terminal("R", rem)))
            if self.guard is not None:
                self.guard[r].reset()
        else:
            term, take, fed = self.terms[pick], min(self.terms[pick].steps, rem), True
            if term.steps > rem:  # split at the bar line; the model has seen the whole value
                self.out[r][b].append(str(Terminal(term.type, rem, term.window)))
                self.carry[r], self.carry_type[r] = term.steps - rem, ("R" if term.type == "R" else "T")
            else:
                self.out[r][b].append(self.vocab.itos[pick])
            if self.guard is not None:
                self.guard[r].feed(pick)
        self.pos[r] += take
        if self.pos[r] >= self.bar_steps:
            self.bar[r], self.pos[r] = self.bar[r] + 1, 0
        return fed
