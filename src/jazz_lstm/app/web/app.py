"""The studio's HTTP API (FastAPI): routes over one `service.Studio`.

    jazz-lstm studio            # http://127.0.0.1:8765

Safe to leave open: requests must name an allowed host (no DNS rebinding), a POST from
another origin is refused, uploads are capped while they stream in, every bad input is a
4xx with one line, work runs off the event loop, pages carry security headers, and the
work folder is removed on exit.  No CDN: the API's schema is at /api/openapi.json.
"""
from __future__ import annotations

import asyncio
import os
import socket
import time
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from jazz_lstm.app.web.service import UPLOAD_LIMIT, Busy, NotFound, Studio
from jazz_lstm.core.charts import PROGRESSIONS
from jazz_lstm.core.errors import JazzError
from jazz_lstm.io.tunes import DEFAULT_TUNE, resolve

BODY_LIMIT = UPLOAD_LIMIT + 64 * 1024  # bytes of any request body (an upload and its multipart framing)
BODY_SECONDS = 10  # a request body must have arrived within this many seconds
STATIC = os.path.join(os.path.dirname(__file__), "static")
RESULT_TYPES = {"mid": "audio/midi", "wav": "audio/wav", "png": "image/png", "svg": "image/svg+xml",
                "musicxml": "application/vnd.recordare.musicxml+xml", "json": "application/json", "score.png": "image/png",
                "ls": "text/plain; charset=utf-8"}
HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; font-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; "
                                      "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
           "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


class TrainRequest(BaseModel):
    tune_id: str = Field(..., max_length=64)
    epochs: int = Field(100, ge=1, le=2000)


class GenerateRequest(BaseModel):
    model_id: str = Field("default", max_length=64)
    chart: str = Field(..., min_length=1, max_length=20000)
    bars: int = Field(12, ge=1, le=256)
    tempo: float = Field(132.0, ge=30, le=320, allow_inf_nan=False)
    temperature: float | None = Field(None, gt=0, le=5, allow_inf_nan=False)  # None: the model kind's default
    seed: int = Field(0, ge=0, lt=2**63)
    formats: list[str] = Field(["wav", "png", "musicxml", "svg"], max_length=8)


def printable(text: str) -> str:
    """Text that can be sent as UTF-8 JSON (a lone surrogate becomes U+FFFD), at most 400 characters."""
    text = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())
    return text if len(text) <= 400 else text[:399] + "…"


def same_origin(origin: str, host_header: str, allowed: set) -> bool:
    """An Origin is ours when its host is allowed and its host and port are the ones the
    request was sent to (another port on localhost is another site)."""
    o, h = urlsplit(origin), urlsplit("//" + host_header)
    try:
        o_port = o.port or {"http": 80, "https": 443}.get(o.scheme)
        h_port = h.port or {"http": 80, "https": 443}.get(o.scheme)
    except ValueError:
        return False
    return (o.hostname or "").lower() in allowed and o.hostname == h.hostname and o_port == h_port


def create_app(studio: Studio | None = None, hosts: tuple = ("127.0.0.1", "localhost", "::1")) -> FastAPI:
    """The app over `studio` (a fresh one by default); requests must name one of `hosts`."""
    st = studio or Studio()
    app = FastAPI(title="jazz-lstm studio", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  on_shutdown=[st.close] if studio is None else [])
    app.state.studio = st
    allowed = {h.strip("[]").lower() for h in hosts}

    @app.middleware("http")
    async def guard(request, call_next):
        host = urlsplit("//" + request.headers.get("host", "")).hostname or ""
        if host.lower() not in allowed:
            return JSONResponse({"detail": "this host name is not served here"}, 400, headers=HEADERS)
        origin = request.headers.get("origin")
        if request.method not in ("GET", "HEAD", "OPTIONS") and origin is not None \
                and not same_origin(origin, request.headers.get("host", ""), allowed):
            return JSONResponse({"detail": "cross-origin requests are refused"}, 403, headers=HEADERS)
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > BODY_LIMIT):
            return JSONResponse({"detail": f"upload too large (limit {UPLOAD_LIMIT // 2**20} MB)"}, 413, headers=HEADERS)
        response = await call_next(request)
        response.headers.update(HEADERS)
        return response

    @app.exception_handler(JazzError)
    async def bad_input(request, e: JazzError):
        return JSONResponse({"detail": printable(str(e))}, 400)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request, e: RequestValidationError):
        # the fields and what is wrong, never the values (NaN, 1e309 or a lone surrogate cannot even be echoed as JSON)
        problems = [f"{'.'.join(str(x) for x in err.get('loc', ()) if x != 'body') or 'request'}: {err.get('msg', 'invalid')}"
                    for err in e.errors()[:5]]
        return JSONResponse({"detail": printable("; ".join(problems) or "malformed request")}, 400)

    @app.exception_handler(NotFound)
    async def not_found(request, e: NotFound):
        return JSONResponse({"detail": str(e)}, 404)

    @app.exception_handler(Busy)
    async def busy(request, e: Busy):
        return JSONResponse({"detail": str(e)}, 429)

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
        return PROGRESSIONS

    @app.get("/api/charts")
    def search_charts(q: str = Query("", max_length=200)):
        return st.search_charts(q)

    @app.get("/api/charts/{chart_id}")
    def chart(chart_id: int):
        return st.chart_by_id(chart_id)

    @app.post("/api/tunes")
    async def upload(file: UploadFile):
        data = await file.read(UPLOAD_LIMIT + 1)
        if len(data) > UPLOAD_LIMIT:
            raise HTTPException(413, detail=f"upload too large (limit {UPLOAD_LIMIT // 2**20} MB)")
        path = st.save_upload(file.filename or "", data)
        return await run_in_threadpool(st.read, path, os.path.basename(file.filename or "upload"))

    @app.post("/api/tunes/default")
    def default_tune():
        return st.read(resolve(None), DEFAULT_TUNE)

    @app.post("/api/tunes/{tune_id}/melody")
    def set_melody(tune_id: str, track: int):
        t = st.tune(tune_id)
        return st.read(t["path"], t["name"], str(track))

    @app.get("/api/tunes/{tune_id}/pianoroll.png")
    def tune_roll(tune_id: str):
        return Response(st.piano_roll(tune_id), media_type="image/png")

    @app.post("/api/train")
    def train(req: TrainRequest):
        return st.start_training(req.tune_id, req.epochs).public()

    @app.get("/api/jobs/{job_id}")
    def job(job_id: str):
        return st.job(job_id).public()

    @app.post("/api/jobs/{job_id}/cancel")
    def cancel(job_id: str):
        j = st.job(job_id)
        j.cancel.set()
        return j.public()

    @app.post("/api/generate")
    def generate(req: GenerateRequest):
        return st.generate(req.model_id, req.chart, req.bars, req.tempo, req.temperature, req.seed, req.formats)

    @app.get("/api/results/{result_id}/{fmt}")
    def result(result_id: str, fmt: str):
        if fmt not in RESULT_TYPES:
            raise HTTPException(404, detail="no such result")
        return FileResponse(st.result_file(result_id, fmt), media_type=RESULT_TYPES[fmt], filename=f"solo.{fmt}")

    return _Capped(app)


class _Capped:
    """ASGI wrapper: a request body beyond BODY_LIMIT is cut off while it streams in -- a
    chunked upload without Content-Length included -- and answered 413."""

    def __init__(self, app: FastAPI):
        self.app, self.state = app, app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        seen, tripped, answered, slow = 0, False, False, False

        deadline = time.monotonic() + BODY_SECONDS

        async def counted():
            nonlocal seen, tripped, slow
            if tripped:
                return {"type": "http.disconnect"}
            try:  # a client that stalls in its body is cut off (slowloris)
                message = await asyncio.wait_for(receive(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                tripped = slow = True
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > BODY_LIMIT:
                    tripped = True  # stop reading: the app sees the client go
                    return {"type": "http.disconnect"}
            return message

        async def reply(message):
            if not tripped:
                return await send(message)

        async def too_large():
            nonlocal answered
            if not answered:
                answered = True
                body = (b'{"detail":"the request body did not arrive within %d s"}' % BODY_SECONDS if slow else
                        b'{"detail":"upload too large (limit %d MB)"}' % (UPLOAD_LIMIT // 2**20))
                headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
                headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                await send({"type": "http.response.start", "status": 408 if slow else 413, "headers": headers})
                await send({"type": "http.response.body", "body": body})

        try:
            await self.app(scope, counted, reply)
        except Exception:
            if not tripped:
                raise
        if tripped:
            await too_large()


def serve(host: str, port: int, charts=()) -> None:
    """Run the studio until Ctrl-C; its work folder is removed on the way out.  charts: the
    chart library's folders (its search box; $JAZZ_LSTM_CHARTS too)."""
    import uvicorn

    sock = listen(host, port)  # a bad address or a port in use: one line, before anything starts
    st = Studio(charts=charts)
    try:
        hosts = ("127.0.0.1", "localhost", "::1") + ((host,) if host not in ("0.0.0.0", "::") else ())
        server = uvicorn.Server(uvicorn.Config(create_app(st, hosts), log_level="warning"))
        server.run(sockets=[sock])
    finally:
        sock.close()
        st.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; JazzError (one line) for an address that is not one
    or a port that is taken."""
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError, OverflowError) as e:
        raise JazzError(f"--host: {host!r} is not an address of this machine ({getattr(e, 'strerror', None) or e})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(128)
    except OSError as e:
        sock.close()
        raise JazzError(f"cannot listen on {host}:{port} ({e.strerror or e})") from None
    sock.set_inheritable(True)
    return sock
