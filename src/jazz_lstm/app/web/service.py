"""The studio's work, without HTTP: tunes, models, results and the training slot, kept
in one folder the server makes itself and removes on exit.  `web/app.py` is routes over
one `Studio`.

Uploaded bytes go to files the server names (never a client's path).  A tune is parsed
in a forked worker process with a time limit, so a hostile file can neither freeze the
server nor take its memory.  Old results and uploads are removed (retention), the
in-memory tables are bounded, one training runs at a time.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

from jazz_lstm.core.charts import Chart, format_chart, parse_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import remove_quietly, write_atomic
from jazz_lstm.eval import metrics
from jazz_lstm.io.chartlib import IREAL_FILES, Library, resolve_changes
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.ireal import looks_like_ireal, read_ireal
from jazz_lstm.models.checkpoint import default_model_path, load
from jazz_lstm.models.recipe.train import TrainConfig, train
from jazz_lstm.models.sample import SampleConfig
from jazz_lstm.render.formats import FORMATS
from jazz_lstm.render.pianoroll import piano_roll_png
from jazz_lstm.solo.outputs import SoloRequest, improvise_request, write_solo

UPLOAD_LIMIT = 5 * 1024 * 1024  # bytes of one upload
PARSE_SECONDS = 20.0  # reading one uploaded tune, at most
PARSE_MEMORY = 1024 * 1024 * 1024  # bytes of address space the parsing worker may add
KEEP_MINUTES = 60.0  # results and uploads older than this are removed
KEEP_BYTES = 500 * 1024 * 1024  # and the oldest beyond this much disk
MAX_ITEMS = 200  # tunes, models, results and jobs kept in memory (each table)
SUFFIXES = {".mid": ".mid", ".midi": ".mid", ".kar": ".mid", ".smf": ".mid", ".xml": ".xml", ".mxl": ".mxl",
            ".musicxml": ".musicxml", ".abc": ".abc", ".ls": ".ls", ".html": ".html", ".htm": ".html"}  # .html: an iReal Pro export


class NotFound(LookupError):
    """No tune, model, job or result by that id (HTTP 404)."""


class Busy(RuntimeError):
    """The training slot is taken (HTTP 429)."""


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


class Bounded(OrderedDict):
    """A dict that forgets its oldest entries beyond `limit`."""

    def __init__(self, limit: int = MAX_ITEMS):
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        while len(self) > self.limit:
            self.popitem(last=False)


class Studio:
    """Tunes, models, results and jobs by id, in memory (bounded) and in one work folder."""

    def __init__(self, folder: str | None = None, keep_minutes: float = KEEP_MINUTES, keep_bytes: int = KEEP_BYTES,
                 charts=()):
        self.folder = folder or tempfile.mkdtemp(prefix="jazz-lstm-studio-")
        self.chart_dirs = list(charts)  # the chart library's folders (besides $JAZZ_LSTM_CHARTS and the built-ins)
        self._library = None
        self.keep_seconds, self.keep_bytes = keep_minutes * 60.0, keep_bytes
        self.tunes, self.models, self.results, self.jobs = Bounded(), Bounded(), Bounded(), Bounded()
        self.loaded: Bounded = Bounded(8)  # model path -> Checkpoint (read once; generating never changes a model)
        self.lock = threading.Lock()
        self.training: Job | None = None
        self.render_slots = threading.Semaphore(2)  # heavy rendering: two at a time, the rest wait

    # --- files -------------------------------------------------------------------------
    def new_path(self, suffix: str) -> str:
        """A fresh file name inside the work folder."""
        return os.path.join(self.folder, uuid.uuid4().hex + suffix)

    def save_upload(self, filename: str, data: bytes) -> str:
        """Write uploaded bytes to a server-named file; only the extension is taken from the client."""
        ext = os.path.splitext(os.path.basename(filename or ""))[1].lower()
        if ext not in SUFFIXES:
            raise JazzError(f"unknown file type {ext or '(none)'} (expected .mid, .midi, .xml, .mxl, .musicxml, .abc, .ls or an "
                            "iReal Pro .html export)",
                            os.path.basename(filename or "upload"))
        self.clean()
        path = self.new_path(SUFFIXES[ext])

        write_atomic(path, data)
        return path

    def clean(self) -> None:
        """Retention: remove files older than the keep time, then the oldest beyond the keep size."""
        now, files = time.time(), []
        for name in os.listdir(self.folder):
            p = os.path.join(self.folder, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            if now - st.st_mtime > self.keep_seconds:
                remove_quietly(p)
            else:
                files.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in files)
        for _, size, p in sorted(files):
            if total <= self.keep_bytes:
                break
            remove_quietly(p)
            total -= size

    def close(self) -> None:
        """Remove the work folder (the server is stopping)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- the chart library ---------------------------------------------------------------
    @property
    def library(self):
        with self.lock:
            if self._library is None:
                self._library = Library(self.chart_dirs)
            return self._library

    def search_charts(self, query: str, limit: int = 30) -> dict:
        """Titles matching `query` with opaque ids (never a server path)."""
        lib = self.library
        index = {id(e): k for k, e in enumerate(lib.entries)}
        hits = lib.search(query, limit) if query.strip() else lib.entries[:limit]
        return {"total": len(lib.entries), "matches": [{"id": index[id(e)], "title": e.title, "composer": e.composer}
                                                       for e in hits]}

    def chart_by_id(self, chart_id: int) -> dict:
        """One library chart as chart text, with its bars and tempo."""
        entries = self.library.entries
        if not 0 <= chart_id < len(entries):
            raise NotFound("no such chart")
        e = entries[chart_id]
        try:
            chart = e.load()
        except JazzError as err:
            raise JazzError(err.message, e.title) from None
        return _chart_reply(e.title, chart)

    # --- tunes -------------------------------------------------------------------------
    def read(self, path: str, name: str, melody_track: str | None = None) -> dict:
        """Parse a tune in a worker (time- and memory-limited) and keep it; returns its
        description -- or, for a chart without a melody (a chart-only leadsheet, an iReal Pro
        export), the chart itself: {"chart_only": true, "chart": text, ...}."""
        try:
            solo = parse_limited(path, melody_track, shown=name)
        except JazzError:
            chart = self._chart_only(path, name)
            if chart is None:
                raise
            return chart
        tune_id = os.path.basename(path).split(".")[0][:12]
        self.tunes[tune_id] = {"path": path, "solo": solo, "name": name}
        return self.describe(tune_id)

    def _chart_only(self, path: str, name: str) -> dict | None:
        """The chart of an uploaded file that has chords but no melody, else None."""
        if not path.lower().endswith((".ls",) + IREAL_FILES):
            return None
        try:
            chart, _ = resolve_changes(path)
        except JazzError:
            return None
        return {"chart_only": True, **_chart_reply(chart.title if chart.title != path else name, chart)}

    def tune(self, tune_id: str) -> dict:
        if tune_id not in self.tunes:
            raise NotFound("no such tune")
        return self.tunes[tune_id]

    def describe(self, tune_id: str) -> dict:
        t = self.tune(tune_id)
        solo = t["solo"]
        return {"tune_id": tune_id, "name": t["name"], "melody_track": solo.melody_track, "notes": len(solo.notes),
                "bars": solo.n_bars, "tempo": round(solo.tempo), "chord_origin": solo.chord_origin,
                "ranking": [asdict(r) for r in solo.ranking], "chart": format_chart(solo.chords, solo.beats_per_bar),
                "pianoroll": f"/api/tunes/{tune_id}/pianoroll.png"}

    def piano_roll(self, tune_id: str) -> bytes:
        t = self.tune(tune_id)
        if "roll" not in t:
            with self.render_slots:
                t["roll"] = piano_roll_png(t["solo"], t["name"], dpi=70)
        return t["roll"]

    # --- models and training ----------------------------------------------------------------
    def checkpoint(self, model_id: str):
        """The model by id ("default": the shipped one), read from disk the first time only."""
        path = default_model_path() if model_id == "default" else self.models.get(model_id)
        if not path:
            raise NotFound("no such model")
        with self.lock:
            if path not in self.loaded:
                self.loaded[path] = load(path)
            return self.loaded[path]

    def start_training(self, tune_id: str, epochs: int) -> Job:
        """Claim the single training slot and train in a thread; Busy when it is taken."""
        tune = self.tune(tune_id)
        with self.lock:
            if self.training is not None and self.training.status in ("queued", "running"):
                raise Busy("a training is already running; wait for it or cancel it")
            job = Job(uuid.uuid4().hex[:12], tune_id, epochs)
            self.jobs[job.id] = job
            self.training = job
        threading.Thread(target=self._train, args=(job, tune), daemon=True).start()
        return job

    def job(self, job_id: str) -> Job:
        if job_id not in self.jobs:
            raise NotFound("no such job")
        return self.jobs[job_id]

    def _train(self, job: Job, tune: dict) -> None:
        job.status = "running"

        def on_epoch(done: int, loss: float):
            job.epoch, job.losses = done, job.losses + [loss]
            return not job.cancel.is_set()

        try:
            path = self.new_path(".safetensors")
            ck = train([tune["solo"]], TrainConfig(epochs=job.epochs), out=path, progress=False, names=[tune["name"]],
                       on_epoch=on_epoch)
            job.model_id = os.path.basename(path).split(".")[0][:12]
            self.models[job.model_id] = path
            job.status = "cancelled" if ck.train.cancelled else "done"
        except JazzError as e:
            job.status, job.error = "failed", str(e)
        except Exception as e:  # a bug: keep the server up and say what happened
            job.status, job.error = "failed", f"internal error: {type(e).__name__}: {e}"

    # --- solos ---------------------------------------------------------------------------
    def generate(self, model_id: str, chart: str, bars: int, tempo: float, temperature: float | None, seed: int,
                 formats: list) -> dict:
        """Improvise one solo over chart text and write it with its outputs and manifest."""
        bad = set(formats) - set(FORMATS)
        if bad:
            raise JazzError(f"unknown format(s): {', '.join(sorted(bad))}")
        ck = self.checkpoint(model_id)
        bpb = ck.chart.beats_per_bar  # chart text or an iReal Pro link only: a client never names a file on the server
        if looks_like_ireal(chart):
            changes = read_ireal(chart, "iReal Pro link")[0].chart("iReal Pro link")
        else:
            changes = Chart(tuple(parse_chart(chart, bpb, source="chart")), bpb, title="chart")
        req = SoloRequest(model=None if model_id == "default" else ck.path, chart=changes, bars=bars, tempo=tempo,
                          cfg=SampleConfig(temperature=temperature, seed=seed))
        solo = improvise_request(ck, req)[0]
        rid = uuid.uuid4().hex[:12]
        self.clean()
        with self.render_slots:
            w = write_solo(solo, os.path.join(self.folder, rid), tuple(formats), ck, req,
                           title=f"seed {seed}, T={temperature or 'auto'}")
        self.results[rid] = w.files
        m = metrics.summary(solo.notes, solo.chords, solo.beats_per_bar, solo.n_bars)
        return {"result_id": rid, "notes": len(solo.notes), "bars": solo.n_bars, "synth": w.synth, "warnings": w.warnings,
                "files": {fmt: f"/api/results/{rid}/{fmt}" for fmt in w.files}, "tokens": len(solo.tokens),
                "metrics": {k: round(v, 3) for k, v in m.items()}}

    def result_file(self, result_id: str, fmt: str) -> str:
        """The path of one output, only ever inside the work folder."""
        path = self.results.get(result_id, {}).get(fmt)
        if not path or not os.path.isfile(path) or os.path.dirname(os.path.realpath(path)) != os.path.realpath(self.folder):
            raise NotFound("no such result")
        return path


def _chart_reply(title: str, chart) -> dict:
    return {"name": title, "chart": chart.text(), "bars": chart.n_bars, "tempo": round(chart.tempo) if chart.timed else None,
            "beats_per_bar": chart.beats_per_bar}


def parse_limited(path: str, melody_track: str | None = None, seconds: float | None = None, shown: str | None = None):
    """read_tune in a forked worker: JazzError when it fails, takes longer than `seconds`
    or needs more memory than PARSE_MEMORY; anything the reader raises counts as a bad
    file (the client hears 400, never 500).  Messages name the file as `shown` (the
    client's own file name), never the server's."""
    import multiprocessing as mp

    seconds = seconds or PARSE_SECONDS
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_parse_worker, args=(send, path, melody_track, shown or os.path.basename(path)), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(seconds):
            raise JazzError(f"reading this file took longer than {seconds:g} s", shown)
        ok, value = recv.recv()
    except EOFError:
        raise JazzError("the reader ran out of memory or crashed on this file", shown) from None
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if not ok:
        raise JazzError(value)
    return value


def _parse_worker(conn, path: str, melody_track: str | None, shown: str) -> None:
    import resource

    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        used = _address_space()
        if used:
            resource.setrlimit(resource.RLIMIT_AS, (used + PARSE_MEMORY, hard))
        conn.send((True, read_tune(path, melody_track)))
    except JazzError as e:
        conn.send((False, str(e).replace(path, shown).replace(os.path.basename(path), shown)))
    except MemoryError:
        conn.send((False, f"{shown}: the file would need too much memory to read"))
    except BaseException as e:  # a reader bug on a hostile file: still the file's fault, as far as the client goes
        conn.send((False, f"{shown}: cannot read this file ({type(e).__name__})"))
    finally:
        conn.close()


def _address_space() -> int:
    """This process's virtual memory in bytes (Linux), 0 when unknown."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0
