"""The studio's server-side state: tunes, models, results and the training queue.

Everything lives in a folder the server makes itself; uploaded bytes are written to
files it names (never a client's path).  One training runs at a time; a second
request while one runs or waits is refused (HTTP 429).
"""
from __future__ import annotations

import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field

from ..errors import JazzError

UPLOAD_LIMIT = 5 * 1024 * 1024  # bytes
SUFFIXES = {".mid": ".mid", ".midi": ".mid", ".xml": ".xml", ".mxl": ".mxl", ".musicxml": ".musicxml", ".abc": ".abc",
            ".ls": ".ls"}


@dataclass
class Job:
    """A training run: status is queued, running, done, cancelled or failed."""

    id: str
    tune_id: str
    epochs: int
    status: str = "queued"
    epoch: int = 0
    losses: list = field(default_factory=list)
    model_id: str = ""
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)

    def public(self) -> dict:
        return {"id": self.id, "status": self.status, "epoch": self.epoch, "epochs": self.epochs,
                "losses": self.losses, "model_id": self.model_id, "error": self.error}


class Studio:
    """Tunes, models and results by id, kept in memory and in one temp folder."""

    def __init__(self, folder: str | None = None):
        self.folder = folder or tempfile.mkdtemp(prefix="jazz-lstm-studio-")
        self.tunes: dict = {}  # id -> {"path", "solo", "name"}
        self.models: dict = {}  # id -> model file path
        self.results: dict = {}  # id -> {fmt: path}
        self.jobs: dict = {}
        self.lock = threading.Lock()
        self.training: Job | None = None
        self.render_slots = threading.Semaphore(2)  # heavy rendering: two at a time, the rest wait
        self.loaded: dict = {}  # model path -> Checkpoint (read once; generation never changes a model)

    def checkpoint(self, path: str):
        """The model at `path`, read from disk the first time only."""
        from ..checkpoint import load

        with self.lock:
            if path not in self.loaded:
                self.loaded[path] = load(path)
            return self.loaded[path]

    def new_path(self, suffix: str) -> str:
        """A fresh file name inside the studio folder."""
        return os.path.join(self.folder, uuid.uuid4().hex + suffix)

    def save_upload(self, filename: str, data: bytes) -> str:
        """Write uploaded bytes to a server-named file; only the extension is taken from the client."""
        ext = os.path.splitext(os.path.basename(filename or ""))[1].lower()
        if ext not in SUFFIXES:
            raise JazzError(f"unknown file type {ext or '(none)'} (expected .mid, .midi, .xml, .mxl, .musicxml, .abc or .ls)",
                            os.path.basename(filename or "upload"))
        path = self.new_path(SUFFIXES[ext])
        with open(path, "wb") as f:
            f.write(data)
        return path

    def start_job(self, tune_id: str, epochs: int) -> Job:
        """Claim the single training slot, or raise LookupError when it is taken."""
        with self.lock:
            if self.training is not None and self.training.status in ("queued", "running"):
                raise LookupError("a training is already running; wait for it or cancel it")
            job = Job(uuid.uuid4().hex[:12], tune_id, epochs)
            self.jobs[job.id] = job
            self.training = job
            return job
