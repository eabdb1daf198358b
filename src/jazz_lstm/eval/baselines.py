"""Model-free baselines over grammar values, fitted on a model's training values:
the shuffle (the training values in random order), a unigram and a bigram.

Both n-gram models are Witten-Bell interpolated with a back-off `p0` over the model's
whole output space, so every value the model could emit has a probability:
  - a chord model's space is the factored grid (features.py): p0(v) = p(type) p(dur|type)
    p(interval|type), each factor add-one smoothed;
  - a recipe model's space is its vocabulary: p0 uniform over it.
With the grammar's legality (a chord model's masks: steps left in the bar, interval or
none, tie or not, and an interval that lands on a pitch of the value's type over the
chord) each distribution is renormalised over the legal values, as the model's is.  A
legality is (steps left, has a previous pitch, tie may come[, types, previous]): `types`
the tone type (0 C, 1 S, 2 A, 3 X) of the 12 pitch classes over the chord's root and
`previous` the last pitch over that root (features.tone_type_table).

    uni = NgramBaseline(streams, order=1, space=None)
    nll = uni.nll(values, legal)     # nats per value
"""
from __future__ import annotations

import math
import random
from collections import Counter, defaultdict

import numpy as np

from jazz_lstm.core.harmony import tone_type
from jazz_lstm.grammar.codec import Terminal, parse_token
from jazz_lstm.grammar.features import INT_MAX, N_DUR, N_INT, N_TYPE, NOTE_TYPES, TYPES, factorize, unfactorize


class NgramBaseline:
    """A unigram (order=1) or bigram (order=2) model of grammar values.

    streams: training value streams (lists of strings).  space: None for the factored grid,
    or a list of values (a recipe model's vocabulary)."""

    def __init__(self, streams: list[list[str]], order: int = 1, space: list[str] | None = None):
        if order not in (1, 2):
            raise ValueError("order must be 1 or 2")
        self.order, self.space = order, space
        self._space_set = set(space or [])
        self._tables: dict = {}  # legality (a tuple, see the module docstring) -> its interval table
        self._masses: dict = {}  # legality -> the unigram's mass over the values legal under it
        self._follow_arrays: dict = {}  # prev -> what _follow_legal tests, made on first use
        flat = [v for s in streams for v in s if self._in_space(v)]
        self.uni = Counter(flat)
        self.N = max(1, len(flat))
        self.lam = self.N / (self.N + max(1, len(self.uni)))
        self.big: dict = defaultdict(Counter)
        for s in streams:
            s = [v for v in s if self._in_space(v)]
            for a, b in zip(s, s[1:]):
                self.big[a][b] += 1
        self.seen = list(self.uni)
        self._fac = np.array([factorize(v) if space is None else (0, 0, 0) for v in self.seen]).reshape(-1, 3)
        self._cnt = np.array([self.uni[v] for v in self.seen], dtype=float)
        if space is None:  # factor marginals, add-one
            f = [factorize(v) for v in flat]
            self.pt = np.bincount([x[0] for x in f], minlength=N_TYPE) + 1.0
            self.pt /= self.pt.sum()
            self.pd = np.ones((N_TYPE, N_DUR))
            self.pi = np.ones((N_TYPE, N_INT))
            for t, d, i in f:
                self.pd[t, d] += 1
                self.pi[t, i] += 1
            self.pd /= self.pd.sum(1, keepdims=True)
            self.pi /= self.pi.sum(1, keepdims=True)

    def _in_space(self, v: str) -> bool:
        return factorize(v) is not None if self.space is None else v in self._space_set

    # -- probabilities ---------------------------------------------------------------
    def _p0(self, v: str) -> float:
        if self.space is not None:
            return 1.0 / len(self.space)
        t, d, i = factorize(v)
        return self.pt[t] * self.pd[t, d] * self.pi[t, i]

    def _legal_seen(self, legal) -> np.ndarray:
        if legal is None or self.space is not None:
            return np.ones(len(self.seen), dtype=bool)
        t, d, i = self._fac.T if len(self.seen) else (np.zeros(0, int),) * 3
        return (d + 1 <= legal[0]) & (self._table(legal)[t, i] > 0)

    def _table(self, legal) -> np.ndarray:
        """(N_TYPE, N_INT): _ints for every type under one legality (made once a legality: a corpus holds few)."""
        table = self._tables.get(legal)
        if table is None:
            table = self._tables[legal] = np.stack([self._ints(t, legal) for t in range(N_TYPE)])
        return table

    def _p0_mass(self, legal) -> float:
        """Sum of p0 over the legal values."""
        if legal is None or self.space is not None:
            return 1.0
        return float((self.pt * self.pd[:, :min(legal[0], N_DUR)].sum(1) * self._table(legal).sum(1)).sum())

    def _ints(self, t: int, legal) -> np.ndarray:
        """p(interval class | type) on the legal classes, 0 elsewhere (all zero: the type is not legal here)."""
        rem, has_prev, tie_ok = legal[:3]
        out = np.zeros(N_INT)
        if TYPES[t] == "T" and not tie_ok:
            return out
        if TYPES[t] not in NOTE_TYPES or not has_prev:
            if TYPES[t] in NOTE_TYPES and len(legal) > 3 and t not in legal[3]:
                return out  # no pitch over this chord has this type
            out[0] = self.pi[t, 0]
            return out
        out[1:] = self.pi[t, 1:]
        if len(legal) > 3:
            types, prev = np.asarray(legal[3]), legal[4]
            out[1:] *= types[(prev + np.arange(-INT_MAX, INT_MAX + 1)) % 12] == t
        return out

    def _uni_unnorm(self, v: str) -> float:
        return self.lam * self.uni.get(v, 0) / self.N + (1 - self.lam) * self._p0(v)

    def _uni_mass(self, legal) -> float:
        """The unigram's mass over the values legal under `legal` (made once a legality)."""
        mass = self._masses.get(legal)
        if mass is None:
            ok = self._legal_seen(legal)
            mass = self._masses[legal] = self.lam * float(self._cnt[ok].sum()) / self.N + (1 - self.lam) * self._p0_mass(legal)
        return mass

    def prob(self, v: str, prev: str | None = None, legal=None) -> float:
        """P(v | prev) renormalised over the legal values (see the module docstring for `legal`)."""
        if self.order == 1 or prev not in self.big:
            return self._uni_unnorm(v) / self._uni_mass(legal)
        keys, counts, ok, cu, lam = self._follow_legal(prev, legal)
        seen_mass = int(counts[ok].sum()) / cu
        z = lam * seen_mass + (1 - lam) * self._uni_mass(legal)
        return (lam * self.big[prev].get(v, 0) / cu + (1 - lam) * self._uni_unnorm(v)) / z

    def _follow_legal(self, prev: str, legal) -> tuple:
        """(the values seen after `prev`, their counts (k,), which are legal here (k,), the counts' total, its
        Witten-Bell weight), in the order the counts were made: made once a value, one array test a call."""
        made = self._follow_arrays.get(prev)
        if made is None:
            follow = self.big[prev]
            keys = list(follow)
            fac = np.array([factorize(w) if self.space is None else (0, 0, 0) for w in keys], dtype=np.int64).reshape(-1, 3)
            cu = sum(follow.values())
            made = self._follow_arrays[prev] = (keys, fac, np.array([follow[w] for w in keys], dtype=np.int64), cu,
                                                cu / (cu + len(follow)))
        keys, fac, counts, cu, lam = made
        if legal is None or self.space is not None:
            return keys, counts, np.ones(len(keys), dtype=bool), cu, lam
        return keys, counts, (fac[:, 1] + 1 <= legal[0]) & (self._table(legal)[fac[:, 0], fac[:, 2]] > 0), cu, lam

    def nll(self, values: list[str], legal=None) -> tuple[float, int]:
        """(total negative log-likelihood in nats, values scored) of one stream; values
        outside the space are skipped (they count against coverage, not here).  legal: one
        legality per value (see the module docstring), or None."""
        total, n, prev = 0.0, 0, None
        for k, v in enumerate(values):
            if self._in_space(v):
                total -= math.log(self.prob(v, prev, None if legal is None else legal[k]))
                n += 1
            prev = v
        return total, n

    # -- sampling ----------------------------------------------------------------------
    def sample(self, prev: str | None, legal, rng: random.Random) -> str:
        """One value from P(. | prev) over the legal values.  The unigram part's weights are one
        array; the draw is random.choices' own (its running sums, bisected), so the values drawn
        are the same as a loop over the candidates would draw."""
        cands, weights = [], []
        if self.order == 2 and prev in self.big:
            keys, counts, ok, cu, lam = self._follow_legal(prev, legal)
            cands = [w for w, good in zip(keys, ok.tolist()) if good]
            weights = lam * counts[ok] / cu
            rest = 1 - lam
        else:
            rest = 1.0
        idx = np.nonzero(self._legal_seen(legal))[0]
        w = np.concatenate([np.asarray(weights, dtype=float), rest * self.lam * self._cnt[idx] / self.N])
        cum = np.cumsum(w)  # left to right, as random.choices and sum() add them
        total = float(cum[-1]) if len(cum) else 0.0
        back = rest * (1 - self.lam) * self._p0_mass(legal)
        if rng.random() * (total + back) < total:
            k = min(int(np.searchsorted(cum, rng.random() * total, side="right")), len(cum) - 1)
            return cands[k] if k < len(cands) else self.seen[idx[k - len(cands)]]
        return self._sample_p0(legal, rng)

    def _sample_p0(self, legal, rng: random.Random) -> str:
        if self.space is not None:
            return rng.choice(self.space)
        rem = min(legal[0], N_DUR)
        ints = self._table(legal)
        t = rng.choices(range(N_TYPE), [self.pt[t] * ints[t].sum() for t in range(N_TYPE)])[0]
        d = rng.choices(range(rem), self.pd[t, :rem])[0]
        i = rng.choices(range(N_INT), ints[t])[0]
        return unfactorize(t, d, i)


def fill_bars(next_value, bars: int, bar_steps: int, decoder=None) -> list[str]:
    """Values drawn from next_value(prev, legal) until `bars` bars are exactly full.  With a
    grammar.Decoder the values are decoded as they come, and the legality includes the tone
    types over the chord and the last pitch (decoder.notes has the notes)."""
    out, pos, prev, has_prev, sounding = [], 0, None, 0, False
    while pos < bars * bar_steps:
        rem = bar_steps - pos % bar_steps
        legal = (rem, has_prev, int(pos % bar_steps == 0 and sounding))
        if decoder is not None:
            chord = decoder.chord_at(pos)
            types = tuple("CSAX".index(tone_type(chord.root + q, chord)) for q in range(12))
            legal += (types, (decoder.prev - chord.root) % 12 if decoder.prev is not None else -1)
        v = next_value(prev, legal)
        if decoder is not None:
            decoder.feed(v)
        term = parse_token(v)
        if term.steps > rem:  # a baseline without legality (a recipe vocabulary): split with a tie
            out.append(str(Terminal(term.type, rem, term.window)))
            if term.type != "R":
                out.append(str(Terminal("T", min(term.steps - rem, bar_steps))))
                pos += min(term.steps - rem, bar_steps)
            pos += rem
        else:
            out.append(v)
            pos += term.steps
        has_prev = has_prev or int(term.type in NOTE_TYPES)
        sounding = term.type != "R"
        prev = v
    return _trim(out, bars * bar_steps)


def _trim(values: list[str], total: int) -> list[str]:
    out, pos = [], 0
    for v in values:
        t = parse_token(v)
        if pos + t.steps > total:
            if total - pos > 0:
                out.append(str(Terminal(t.type, total - pos, t.window)))
            break
        out.append(v)
        pos += t.steps
    return out


_POOL: tuple = (None, [], 0)  # (streams, their values but ties, their total steps): made once for a model


def shuffle_values(streams: list[list[str]], bars: int, bar_steps: int, rng: random.Random) -> list[str]:
    """The training values in a random order, laid into bars (a value over a bar line is
    split and tied, a rest split into rests).  The order is the first values of a random
    permutation, drawn without replacement (random.sample) rather than shuffling all of them."""
    global _POOL
    if _POOL[0] is not streams:
        pool = [v for s in streams for v in s if v[0] != "T"]
        _POOL = (streams, pool, sum(parse_token(v).steps for v in pool))
    _, pool, steps = _POOL
    need = bars * bar_steps  # every value fills at least one grid step
    if steps > need and len(pool) >= need:
        it = iter(rng.sample(pool, need))
    else:  # a tiny corpus: the whole pool, shuffled, as often as it takes
        pool = list(pool)
        rng.shuffle(pool)
        it = iter(pool * (1 + need // max(1, steps)))
    return fill_bars(lambda prev, legal: next(it), bars, bar_steps)
