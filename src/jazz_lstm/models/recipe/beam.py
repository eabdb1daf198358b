"""Beam search over bars: the likeliest way to fill each bar, bar after bar.

Within a bar, `width` hypotheses grow value by value (values that would overflow the
bar are masked); a hypothesis ends when its bar is exactly full, and the best ended
one (mean log-probability per value) fixes the bar, its LSTM state carrying on into
the next.  Deterministic: no seed.  The novelty guard applies per hypothesis.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from jazz_lstm.core.errors import JazzError
from jazz_lstm.grammar.codec import Terminal, parse_token
from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton


@dataclass
class _Hyp:
    score: float  # summed log-probability of the bar's values so far
    values: list  # the bar's values so far
    state: list  # LSTM (h, c) per layer, each (1, H), after feeding `last`
    last: int  # the last value fed (its id)
    pos: int  # grid steps filled in this bar
    guard: tuple = (0, 0)  # novelty-guard (automaton state, copied run)


@torch.inference_mode()
def beam_bars(model, vocab, bars: int, bar_steps: int, width: int = 4, corpus=None, max_copy: int = 0) -> list[list[str]]:
    """One solo of `bars` bars as [bar] -> values."""
    if width < 1:
        raise JazzError("beam width must be >= 1")
    step = model.stepper()
    dur = np.array([parse_token(v).steps for v in vocab.itos])
    tracker = None
    if max_copy and corpus:
        tracker = CopyTracker(SuffixAutomaton(corpus))
    carry = _Hyp(0.0, [], model.init_state(1), model.start_id, 0)
    out = []
    for _ in range(bars):
        live, done = [_Hyp(0.0, [], carry.state, carry.last, 0, carry.guard)], []
        while live and len(done) < width:
            ids = torch.tensor([h.last for h in live])
            states = [(torch.cat([h.state[i][0] for h in live]), torch.cat([h.state[i][1] for h in live]))
                      for i in range(len(carry.state))]
            logits, new = step(ids, states)
            logp = torch.log_softmax(logits, -1).numpy()
            cands = []
            for k, h in enumerate(live):
                ok = dur <= bar_steps - h.pos
                if tracker is not None:
                    tracker.state, tracker.run = h.guard
                    ok = tracker.restrict(ok, max_copy)
                if not ok.any():  # nothing fits: close the bar with a rest
                    done.append(_Hyp(h.score, h.values + [str(Terminal("R", bar_steps - h.pos))], h.state, h.last,
                                     bar_steps, h.guard))
                    continue
                allowed = np.nonzero(ok)[0]
                for v in allowed[np.argsort(-logp[k, allowed], kind="stable")[:width]]:
                    cands.append((h.score + float(logp[k, v]), k, int(v)))
            cands.sort(key=lambda c: -c[0])
            grown = []
            for score, k, v in cands[:width]:
                parent = live[k]
                guard = parent.guard
                if tracker is not None:
                    tracker.state, tracker.run = guard
                    tracker.feed(v)
                    guard = (tracker.state, tracker.run)
                h = _Hyp(score, parent.values + [vocab.itos[v]], [(a[k:k + 1], b[k:k + 1]) for a, b in new], v,
                         parent.pos + int(dur[v]), guard)
                (done if h.pos == bar_steps else grown).append(h)
            live = grown
        carry = max(done, key=lambda h: h.score / len(h.values))
        out.append(carry.values)
    return out
