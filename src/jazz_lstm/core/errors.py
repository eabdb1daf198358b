"""One error type for every problem a user can cause, and the exit codes the CLI uses."""
from __future__ import annotations

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
