"""Where tunes come from: a path, or music21's bundled corpus (the embedded default)."""
from __future__ import annotations

import os

from jazz_lstm.core.errors import JazzError

DEFAULT_TUNE = "corpus:leadSheet/fosterBrownHair.mxl"  # public domain, 40 chord symbols, ships with music21


def resolve(spec: str | None) -> str:
    """A file path for `spec`: None or "default" -> the embedded default tune;
    "corpus:NAME" -> that piece of music21's corpus (e.g. corpus:joplin/maple_leaf_rag);
    anything else is a path, returned as given."""
    if spec in (None, "", "default"):
        spec = DEFAULT_TUNE
    if spec.startswith("corpus:"):
        from music21 import corpus

        name = spec[len("corpus:"):]
        try:
            found = corpus.getWork(name)
        except Exception:
            found = None
        if isinstance(found, list):
            found = found[0] if found else None
        if not found:
            raise JazzError("not in music21's corpus", spec)
        return os.fspath(found)
    return spec

