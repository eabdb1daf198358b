"""Files in and out, safely: atomic writes (a crash or Ctrl-C never leaves half a file
behind), a device or pipe is never replaced by a regular file, inputs are checked to be
ordinary files of a sane size before they are read, and outputs are checked to be
writable before any long work starts."""
from __future__ import annotations

import os
import stat
import sys
import tempfile
import threading
import time
from contextlib import contextmanager

from jazz_lstm.core.errors import JazzError

TEMP_PREFIX = ".jazz-lstm-tmp-"  # a file being written; renamed into place when complete
STDIO = "-"  # an output path meaning standard output


def clean_temp(folder: str, older_than: float = 60.0) -> int:
    """Remove temp files a killed run left in `folder` (only ours, only older than
    `older_than` seconds: a run writing beside us keeps its own); returns how many."""
    removed = 0
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return 0
    for name in names:
        path = os.path.join(folder or ".", name)
        try:
            if name.startswith(TEMP_PREFIX) and time.time() - os.path.getmtime(path) > older_than:
                os.unlink(path)
                removed += 1
        except OSError:
            pass
    return removed


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_input(path: str, what: str = "file", max_bytes: int | None = None) -> int:
    """Make sure `path` is an ordinary file we may read (at most `max_bytes`); returns its
    size.  JazzError naming the file otherwise: missing, a folder, a device or pipe (which
    could be read forever), unreadable, or too large."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise JazzError(f"no such {what}", path) from None
    except OSError as e:
        raise JazzError(f"cannot read this {what} ({e.strerror})", path) from None
    if not stat.S_ISREG(st.st_mode):
        raise JazzError(f"is {_kind(st.st_mode)}, not a {what}", path)
    if not os.access(path, os.R_OK):
        raise JazzError(f"cannot read this {what} (permission denied)", path)
    if max_bytes is not None and st.st_size > max_bytes:
        raise JazzError(f"is {st.st_size / 2**20:.0f} MB: too large for a {what} (at most {max_bytes / 2**20:.0f} MB)", path)
    return st.st_size


def read_bytes(path: str, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The bytes of an ordinary file (see check_input)."""
    check_input(path, what, max_bytes)
    try:
        with open(path, "rb") as f:
            return f.read() if max_bytes is None else f.read(max_bytes + 1)
    except OSError as e:
        raise JazzError(f"cannot read this {what} ({e.strerror})", path) from None


def _special(path: str) -> os.stat_result | None:
    """The stat of `path` when it exists and is not a regular file (following links)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return None if stat.S_ISREG(st.st_mode) else st


def check_output_file(path: str) -> str:
    """Fail now, not after the work, when `path` cannot be written: a folder in its place,
    a parent that cannot be made or written.  A character device (/dev/null) and '-' are
    written into, never replaced.  Returns the path."""
    if path == STDIO:
        return path
    st = _special(path)
    if st is not None:
        if stat.S_ISCHR(st.st_mode):
            return path
        raise JazzError(f"is {_kind(st.st_mode)}: cannot write a file there", path)
    check_output_dir(os.path.dirname(os.path.abspath(path)), path)
    return path


def check_output_dir(folder: str, name: str | None = None) -> str:
    """Fail now when files cannot be made in `folder` (made if missing): a file in its
    place, no permission, a read-only or virtual file system.  Returns the folder."""
    shown = name or folder
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise JazzError("is a file, not a folder: cannot write into it", shown)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise JazzError(f"cannot write here ({e.strerror or e})", shown) from None
    return folder


_BATCH = threading.local()  # how deep this thread is inside one_sync()


@contextmanager
def one_sync():
    """A batch of writes with one flush to disk: inside, write_atomic still renames each file into place
    (no reader ever sees half of one) but skips its own fsync; leaving, one os.sync() makes them all
    durable -- 128 solos pay one flush, not 256.  Per thread (the studio's requests are not batched)."""
    depth = getattr(_BATCH, "depth", 0)
    _BATCH.depth = depth + 1
    try:
        yield
    finally:
        _BATCH.depth = depth
        if depth == 0:
            os.sync()


def write_atomic(path: str, data: bytes | str) -> str:
    """Write `data` to `path` via a temp file in the same folder and a rename.

    A path that exists and is a character device (/dev/null) is written into, and '-' is
    standard output: neither is ever replaced by a regular file; a folder, pipe or socket in
    the way is a JazzError.  A symbolic link stays a link: its target is replaced."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path == STDIO:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        return path
    st = _special(path)
    if st is not None:
        if not stat.S_ISCHR(st.st_mode):
            raise JazzError(f"is {_kind(st.st_mode)}: cannot write a file there", path)
        try:
            with open(path, "wb") as f:
                f.write(raw)
        except OSError as e:
            raise JazzError(f"cannot write ({e.strerror or e})", path) from None
        return path
    target = os.path.realpath(path) if os.path.islink(path) else path
    folder = os.path.dirname(os.path.abspath(target)) or "."
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    except OSError as e:
        raise JazzError(f"cannot write here ({e.strerror})", path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            if not getattr(_BATCH, "depth", 0):  # (inside one_sync(): one flush for the batch, at its end)
                os.fsync(f.fileno())  # the bytes are on disk before the rename makes them the file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions
        os.replace(tmp, target)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError):  # disk full, a folder in the way, no permission: the user's to fix
            raise JazzError(f"cannot write ({e.strerror or e})", path) from None
        raise
    return path


def remove_quietly(path: str) -> None:
    """Delete a file if it is there (a result being replaced, a temporary file): no error if not."""
    try:
        os.unlink(path)
    except OSError:
        pass


def cache_dir() -> str:
    """Where encoded tunes are cached: $JAZZ_LSTM_CACHE, else $XDG_CACHE_HOME/jazz-lstm, else ~/.cache/jazz-lstm."""
    if os.environ.get("JAZZ_LSTM_CACHE"):
        return os.environ["JAZZ_LSTM_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jazz-lstm")
