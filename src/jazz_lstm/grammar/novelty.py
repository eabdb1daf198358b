"""The novelty guard: never copy more than K consecutive training values verbatim.

A suffix automaton over the training streams (built once, linear in their length)
tracks, for each solo being sampled, the longest suffix that occurs in the corpus.
When that suffix is K values long, every value that would extend it is banned for
the next step, so no run of K+1 values matches the corpus.
"""
from __future__ import annotations


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
