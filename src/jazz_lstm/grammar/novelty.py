"""The novelty guard: never copy more than K consecutive training values verbatim.

A suffix automaton over the training streams (built once, linear in their length)
tracks, for each solo being sampled, the longest suffix that occurs in the corpus.
When that suffix is K values long, every value that would extend it is banned for
the next step, so no run of K+1 values matches the corpus.
"""
from __future__ import annotations

import numpy as np


class SuffixAutomaton:
    """Suffix automaton of several id streams; matches never cross from one stream to the next."""

    def __init__(self, streams: list[list[int]]):
        self.next: list[dict] = [{}]
        self.link: list[int] = [-1]
        self.length: list[int] = [0]
        sep = -1
        for s in streams:
            last = 0
            for x in list(s) + [sep]:
                last = self._extend(last, x)
            sep -= 1  # a fresh separator per stream

    def _extend(self, last: int, x: int) -> int:
        nxt, link, length = self.next, self.link, self.length
        cur = len(length)
        nxt.append({})
        length.append(length[last] + 1)
        link.append(0)
        p = last
        while p != -1 and x not in nxt[p]:
            nxt[p][x] = cur
            p = link[p]
        if p != -1:
            q = nxt[p][x]
            if length[p] + 1 == length[q]:
                link[cur] = q
            else:
                clone = len(length)
                nxt.append(dict(nxt[q]))
                length.append(length[p] + 1)
                link.append(link[q])
                while p != -1 and nxt[p].get(x) == q:
                    nxt[p][x] = clone
                    p = link[p]
                link[q] = link[cur] = clone
        return cur


    def to_arrays(self) -> dict[str, np.ndarray]:
        """The automaton as flat arrays (to keep in a file): each state's length and suffix link, and its
        transitions as (symbol, target) pairs from offsets[state] to offsets[state + 1], by symbol."""
        if getattr(self, "_arrays", None) is not None:
            return self._arrays
        keys = [k for d in self.next for k in sorted(d)]
        targets = [d[k] for d in self.next for k in sorted(d)]
        offsets = np.cumsum([0] + [len(d) for d in self.next])
        return {"length": np.asarray(self.length, np.int32), "link": np.asarray(self.link, np.int32),
                "offsets": offsets.astype(np.int64), "keys": np.asarray(keys, np.int32),
                "targets": np.asarray(targets, np.int32)}

    @classmethod
    def from_arrays(cls, a: dict) -> SuffixAutomaton:
        """The inverse of to_arrays; a state's transitions become a dict when first asked for.
        ValueError when the arrays do not make an automaton."""
        n = len(a["length"])
        off, tg, link = a["offsets"], a["targets"], a["link"]
        if (n < 1 or len(link) != n or len(off) != n + 1 or len(a["keys"]) != len(tg) or off[0] != 0
                or off[-1] != len(tg) or (np.diff(off) < 0).any() or (len(tg) and (tg.min() < 0 or tg.max() >= n))
                or link[0] != -1 or (link[1:] < 0).any() or (link >= n).any()):
            raise ValueError("inconsistent suffix automaton arrays")
        sam = cls.__new__(cls)
        sam.length, sam.link = a["length"].tolist(), a["link"].tolist()
        sam.next = _Transitions(a["offsets"], a["keys"], a["targets"])
        sam._arrays = a
        return sam

    def trackers(self, n: int) -> BatchTracker:
        """n CopyTrackers at once, in arrays (the lookup tables made once per automaton)."""
        if getattr(self, "_lookup", None) is None:
            self._lookup = _Lookup(self.to_arrays())
        return BatchTracker(self._lookup, n, CopyTracker(self))


class _Lookup:
    """Every transition of an automaton as one sorted array of (state, symbol) keys, so that
    n look-ups are one np.searchsorted."""

    def __init__(self, a: dict):
        off, keys = a["offsets"].astype(np.int64), a["keys"].astype(np.int64)
        self.length, self.link = a["length"].astype(np.int64), a["link"].astype(np.int64)
        self.offsets, self.keys = off, keys
        self.lo = int(keys.min()) if len(keys) else 0
        self.span = (int(keys.max()) - self.lo + 1) if len(keys) else 1
        comp = np.repeat(np.arange(len(off) - 1), np.diff(off)) * self.span + (keys - self.lo)
        targets = a["targets"].astype(np.int64)
        if len(comp) > 1 and not (comp[1:] > comp[:-1]).all():  # (to_arrays writes them sorted: no sort then)
            order = np.argsort(comp)
            comp, targets = comp[order], targets[order]
        self.comp, self.targets = comp, targets

    def next(self, states: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The target of each (state, symbol), -1 where the state has no such transition."""
        if not len(self.comp):
            return np.full(len(states), -1, np.int64)
        c = states * self.span + (x - self.lo)
        i = np.minimum(np.searchsorted(self.comp, c), len(self.comp) - 1)
        return np.where((x >= self.lo) & (x < self.lo + self.span) & (self.comp[i] == c), self.targets[i], -1)


class BatchTracker:
    """n CopyTrackers in arrays: the same states and runs as n CopyTracker.feed calls, one numpy pass a step
    (for a few rows, `one` -- a CopyTracker over the same automaton -- steps each: numpy's fixed cost a call
    is more than a few dict look-ups)."""

    FEW = 6  # rows up to which one CopyTracker steps each

    def __init__(self, lookup: _Lookup, n: int, one: CopyTracker):
        self.lookup, self.one, self.state, self.run = lookup, one, np.zeros(n, np.int64), np.zeros(n, np.int64)

    def feed(self, x: np.ndarray, rows: np.ndarray) -> None:
        """Symbol x[r] fed to each tracker r of `rows` (int indices)."""
        if len(rows) <= self.FEW:
            one = self.one
            for r in rows.tolist():
                one.state, one.run = int(self.state[r]), int(self.run[r])
                one.feed(int(x[r]))
                self.state[r], self.run[r] = one.state, one.run
            return
        lk = self.lookup
        s, run, x = self.state[rows], self.run[rows], np.asarray(x)[rows]
        t = lk.next(s, x)
        miss = np.nonzero((t < 0) & (s != 0))[0]
        while len(miss):  # down the suffix links until the symbol extends the match (or none is left)
            s[miss] = lk.link[s[miss]]
            run[miss] = lk.length[s[miss]]
            t[miss] = lk.next(s[miss], x[miss])
            miss = miss[(t[miss] < 0) & (s[miss] != 0)]
        go = (t >= 0) & (x >= 0)
        self.state[rows], self.run[rows] = np.where(go, t, 0), np.where(go, run + 1, 0)

    def banned(self, r: int, max_copy: int) -> list[int]:
        """CopyTracker.banned of tracker r."""
        if self.run[r] < max_copy:
            return []
        s = int(self.state[r])
        keys = self.lookup.keys[self.lookup.offsets[s]:self.lookup.offsets[s + 1]]
        return keys[keys >= 0].tolist()


class _Transitions:
    """A suffix automaton's transitions read from flat arrays: state -> {symbol: target}, made on first use."""

    def __init__(self, offsets, keys, targets):
        self.offsets, self.keys, self.targets, self.made = offsets, keys, targets, {}

    def __getitem__(self, state: int) -> dict:
        d = self.made.get(state)
        if d is None:
            a, b = int(self.offsets[state]), int(self.offsets[state + 1])
            d = self.made[state] = dict(zip(self.keys[a:b].tolist(), self.targets[a:b].tolist()))
        return d

    def __len__(self) -> int:
        return len(self.offsets) - 1


class CopyTracker:
    """The longest suffix of one growing sequence that occurs in the corpus."""

    def __init__(self, sam: SuffixAutomaton):
        self.sam, self.state, self.run = sam, 0, 0

    def feed(self, x: int) -> None:
        sam = self.sam
        while self.state and x not in sam.next[self.state]:
            self.state = sam.link[self.state]
            self.run = sam.length[self.state]
        if x in sam.next[self.state] and x >= 0:
            self.state = sam.next[self.state][x]
            self.run += 1
        else:
            self.state, self.run = 0, 0

    def banned(self, max_copy: int) -> list[int]:
        """Values that would make the copied run longer than max_copy."""
        if self.run < max_copy:
            return []
        return [x for x in self.sam.next[self.state] if x >= 0]

    def restrict(self, allowed, max_copy: int):
        """`allowed` (a bool mask over values, numpy or torch) without the banned values,
        unless that would leave nothing to play."""
        ban = self.banned(max_copy)
        if not ban:
            return allowed
        keep = allowed.clone() if hasattr(allowed, "clone") else allowed.copy()
        keep[ban] = False
        return keep if keep.any() else allowed

    def reset(self) -> None:
        self.state, self.run = 0, 0
