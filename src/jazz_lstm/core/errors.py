"""One error type for every problem a user can cause, and the exit codes the CLI uses."""
from __future__ import annotations

import math

# Named exit codes (httpie style): results on stdout, problems on stderr.
EXIT_ERROR = 1  # an unexpected failure (a bug: please report it)
EXIT_BAD_INPUT = 2  # bad file, bad option, bad model: the message says which
EXIT_INTERRUPTED = 130  # Ctrl-C


class JazzError(ValueError):
    """A problem with the user's input, reported as one line and exit code 2.

    ``source`` names the file at fault, so the message reads
    ``error: tune.mid: no melody notes``.  ``field`` names the setting at fault in the
    library's words ("bars", "temperature"); a front end adds its own name for it (the CLI:
    ``error: --bars: a solo's length must be in 1..10000 bars``).
    """

    def __init__(self, message: str, source: str | None = None, field: str | None = None):
        self.message = message
        self.source = source
        self.field = field
        super().__init__(f"{source}: {message}" if source else message)


def check_sizes(cfg, **bounds) -> None:
    """JazzError, naming the field, unless each field is an int inside its (lo, hi)."""
    for name, (lo, hi) in bounds.items():
        v = getattr(cfg, name)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise JazzError(f"{name.replace('_', ' ')} must be a whole number in {lo}..{hi} (got {v!r})", field=name)


def check_fraction(cfg, name: str) -> None:
    """JazzError unless the field is a number in [0, 1)."""
    v = getattr(cfg, name)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v < 1.0:
        raise JazzError(f"{name} must be in [0, 1) (got {v!r})", field=name)


def check_number(cfg, name: str, lo: float, hi: float, low_open: bool = False) -> None:
    """JazzError, naming the field, unless it is a finite number in [lo, hi] ((lo, hi] with low_open)."""
    v = getattr(cfg, name)
    ok = not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) and \
        (lo < v if low_open else lo <= v) and v <= hi
    if not ok:
        raise JazzError(f"{name.replace('_', ' ')} must be a number in {'(' if low_open else '['}{lo:g}, {hi:g}] "
                        f"(got {v!r})", field=name)

