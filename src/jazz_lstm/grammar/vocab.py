"""Token <-> id, with a JSON round trip (saved inside every model file)."""
from __future__ import annotations

from collections.abc import Iterable


class Vocab:
    """The sorted set of grammar values seen in training; id = position in `itos`."""

    def __init__(self, itos: Iterable[str]):
        self.itos = list(itos)
        if len(set(self.itos)) != len(self.itos):
            raise ValueError("vocabulary has duplicate tokens")
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, corpus: Iterable[str]) -> Vocab:
        """All distinct tokens of `corpus`, sorted (so ids do not depend on set order)."""
        return cls(sorted(set(corpus)))

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Tokens -> ids; KeyError names a token the vocabulary does not hold."""
        return [self.stoi[t] for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids -> tokens."""
        return [self.itos[int(i)] for i in ids]

    def to_json(self) -> list[str]:
        return list(self.itos)

    @classmethod
    def from_json(cls, data) -> Vocab:
        """The inverse of to_json; ValueError unless it is a list of strings."""
        if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
            raise ValueError("vocabulary JSON must be a list of strings")
        return cls(data)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos
