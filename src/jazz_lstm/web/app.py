"""The studio's HTTP API (FastAPI), over the same functions the CLI uses.

    jazz-lstm studio            # http://127.0.0.1:8765
"""
from __future__ import annotations

import os
import threading

from fastapi import FastAPI, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from ..errors import JazzError
from .state import UPLOAD_LIMIT, Studio

STATIC = os.path.join(os.path.dirname(__file__), "static")
RESULT_FILES = {"mid": "audio/midi", "wav": "audio/wav", "png": "image/png", "svg": "image/svg+xml",
                "musicxml": "application/vnd.recordare.musicxml+xml", "json": "application/json", "score.png": "image/png"}


class TrainRequest(BaseModel):
    tune_id: str
    epochs: int = Field(100, ge=1, le=2000)


class GenerateRequest(BaseModel):
    model_id: str = "default"
    chart: str = Field(..., min_length=1, max_length=20000)
    bars: int = Field(12, ge=1, le=256)
    tempo: float = Field(132.0, ge=30, le=320)
    temperature: float | None = Field(None, gt=0, le=5)  # None: the model kind's default
    seed: int = 0
    formats: list[str] = ["wav", "png", "musicxml", "svg"]


def _bad(e: JazzError) -> HTTPException:
    return HTTPException(400, detail=str(e))


def create_app(studio: Studio | None = None) -> FastAPI:
    app = FastAPI(title="jazz-lstm studio", docs_url="/api/docs")
    st = studio or Studio()
    app.state.studio = st

    @app.get("/", response_class=HTMLResponse)
    def index():
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as f:
            return f.read()

    @app.get("/static/{name}")
    def static(name: str):
        if name not in ("app.js", "style.css"):
            raise HTTPException(404)
        return FileResponse(os.path.join(STATIC, name))

    @app.get("/api/progressions")
    def progressions():
        from ..charts import PROGRESSIONS

        return PROGRESSIONS

    def describe(tune_id: str) -> dict:
        from dataclasses import asdict

        from ..charts import format_chart

        t = st.tunes[tune_id]
        solo = t["solo"]
        return {"tune_id": tune_id, "name": t["name"], "melody_track": solo.melody_track, "notes": len(solo.notes),
                "bars": solo.n_bars, "tempo": round(solo.tempo), "chord_origin": solo.chord_origin,
                "ranking": [asdict(r) for r in solo.ranking], "chart": format_chart(solo.chords, solo.beats_per_bar),
                "pianoroll": f"/api/tunes/{tune_id}/pianoroll.png"}

    def read(path: str, name: str, melody_track=None) -> dict:
        from ..midi_io import read_tune

        try:
            solo = read_tune(path, melody_track)
        except JazzError as e:
            raise HTTPException(400, detail=str(e).replace(path, name)) from None
        tune_id = os.path.basename(path).split(".")[0][:12]
        st.tunes[tune_id] = {"path": path, "solo": solo, "name": name}
        return describe(tune_id)

    @app.post("/api/tunes")
    async def upload(request: Request, file: UploadFile):
        size = int(request.headers.get("content-length") or 0)
        if size > UPLOAD_LIMIT + 64 * 1024:
            raise HTTPException(413, detail=f"upload too large (limit {UPLOAD_LIMIT // (1024 * 1024)} MB)")
        data = await file.read(UPLOAD_LIMIT + 1)
        if len(data) > UPLOAD_LIMIT:
            raise HTTPException(413, detail=f"upload too large (limit {UPLOAD_LIMIT // (1024 * 1024)} MB)")
        try:
            path = st.save_upload(file.filename or "", data)
        except JazzError as e:
            raise _bad(e) from None
        return read(path, os.path.basename(file.filename or "upload"))

    @app.post("/api/tunes/default")
    def default_tune():
        from ..tunes import DEFAULT_TUNE, resolve

        return read(resolve(None), DEFAULT_TUNE)

    @app.post("/api/tunes/{tune_id}/melody")
    def set_melody(tune_id: str, track: int):
        t = _tune(tune_id)
        return read(t["path"], t["name"], str(track))

    def _tune(tune_id: str) -> dict:
        if tune_id not in st.tunes:
            raise HTTPException(404, detail="no such tune")
        return st.tunes[tune_id]

    @app.get("/api/tunes/{tune_id}/pianoroll.png")
    def tune_roll(tune_id: str):
        from fastapi import Response

        from ..pianoroll import piano_roll_png

        t = _tune(tune_id)
        if "roll" not in t:
            with st.render_slots:
                t["roll"] = piano_roll_png(t["solo"], t["name"], dpi=70)
        return Response(t["roll"], media_type="image/png")

    @app.post("/api/train")
    def train(req: TrainRequest):
        t = _tune(req.tune_id)
        try:
            job = st.start_job(req.tune_id, req.epochs)
        except LookupError as e:
            return JSONResponse({"detail": str(e)}, status_code=429)
        threading.Thread(target=_run_training, args=(st, job, t), daemon=True).start()
        return job.public()

    @app.get("/api/jobs/{job_id}")
    def job(job_id: str):
        if job_id not in st.jobs:
            raise HTTPException(404, detail="no such job")
        return st.jobs[job_id].public()

    @app.post("/api/jobs/{job_id}/cancel")
    def cancel(job_id: str):
        if job_id not in st.jobs:
            raise HTTPException(404, detail="no such job")
        st.jobs[job_id].cancel.set()
        return st.jobs[job_id].public()

    @app.post("/api/generate")
    def generate(req: GenerateRequest):
        return _generate(st, req)

    @app.get("/api/results/{result_id}/{fmt}")
    def result(result_id: str, fmt: str):
        files = st.results.get(result_id)
        if not files or fmt not in files or fmt not in RESULT_FILES:
            raise HTTPException(404, detail="no such result")
        name = f"solo.{fmt}"
        return FileResponse(files[fmt], media_type=RESULT_FILES[fmt], filename=name)

    return app


def _run_training(st: Studio, job, tune: dict) -> None:
    from ..train import TrainConfig, train

    job.status = "running"

    def on_epoch(done: int, loss: float):
        job.epoch, job.losses = done, job.losses + [loss]
        return not job.cancel.is_set()

    try:
        path = st.new_path(".safetensors")
        ck = train([tune["solo"]], TrainConfig(epochs=job.epochs), out=path, progress=False,
                   names=[tune["name"]], on_epoch=on_epoch)
        job.model_id = os.path.basename(path).split(".")[0][:12]
        st.models[job.model_id] = path
        job.status = "cancelled" if ck.train.cancelled else "done"
    except JazzError as e:
        job.status, job.error = "failed", str(e)
    except Exception as e:  # a bug: keep the server up and say what happened
        job.status, job.error = "failed", f"internal error: {type(e).__name__}: {e}"


def _generate(st: Studio, req: GenerateRequest) -> dict:
    import uuid

    from .. import checkpoint, metrics
    from ..charts import parse_chart
    from ..generate import improvise
    from ..outputs import SoloRequest, write_solo
    from ..render import FORMATS
    from ..sample import SampleConfig

    bad = set(req.formats) - set(FORMATS)
    if bad:
        raise HTTPException(400, detail=f"unknown format(s): {', '.join(sorted(bad))}")
    path = checkpoint.default_model_path() if req.model_id == "default" else st.models.get(req.model_id)
    if not path:
        raise HTTPException(404, detail="no such model")
    try:
        ck = st.checkpoint(path)
        chords = parse_chart(req.chart, ck.chart.beats_per_bar, source="chart")
        cfg = SampleConfig(temperature=req.temperature, seed=req.seed)
        solo = improvise(ck, chords, req.bars, 1, cfg, tempo=req.tempo)[0]
    except JazzError as e:
        raise _bad(e) from None
    rid = uuid.uuid4().hex[:12]
    stem = os.path.join(st.folder, rid)
    sreq = SoloRequest(None if req.model_id == "default" else path, bars=req.bars, tempo=req.tempo, cfg=cfg)
    with st.render_slots:
        r = write_solo(solo, stem, tuple(req.formats), ck, sreq, title=f"seed {req.seed}, T={req.temperature or 'auto'}")
    st.results[rid] = r.files
    m = metrics.summary(solo.notes, solo.chords, solo.beats_per_bar, solo.n_bars)
    return {"result_id": rid, "notes": len(solo.notes), "bars": solo.n_bars, "synth": r.synth, "warnings": r.warnings,
            "files": {fmt: f"/api/results/{rid}/{fmt}" for fmt in r.files}, "tokens": len(solo.tokens),
            "metrics": {k: round(v, 3) for k, v in m.items()}}
