"""Atomic writes: a crash or Ctrl-C never leaves half a file behind."""
from __future__ import annotations

import os
import tempfile

from .errors import JazzError


TEMP_PREFIX = ".jazz-lstm-tmp-"  # a file being written; renamed into place when complete


def clean_temp(folder: str, older_than: float = 60.0) -> int:
    """Remove temp files a killed run left in `folder` (only ours, only older than
    `older_than` seconds: a run writing beside us keeps its own); returns how many."""
    import time

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


def write_atomic(path: str, data: bytes | str) -> str:
    """Write `data` to `path` via a temp file in the same folder and a rename."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    except OSError as e:
        raise JazzError(f"cannot write here ({e.strerror})", path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them the file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError):  # disk full, a folder in the way, no permission: the user's to fix
            raise JazzError(f"cannot write ({e.strerror or e})", path) from None
        raise
    return path
