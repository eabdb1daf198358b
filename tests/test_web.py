"""The studio's API against a live server on a free loopback port (uvicorn in a thread)."""
import asyncio
import os
import socket
import threading
import time

import httpx
import pytest
from conftest import LICK, comping, write_midi

pytest.importorskip("fastapi")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from jazz_lstm.app.web.app import create_app
    from jazz_lstm.app.web.service import Studio

    port = free_port()
    cfg = uvicorn.Config(create_app(Studio(str(tmp_path_factory.mktemp("studio")))), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(cfg)
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(5)


@pytest.fixture
def tune_file(tmp_path):
    lick = [(p, s + 16 * i, d) for i in range(3) for p, s, d in LICK]
    return write_midi(tmp_path / "my tune.mid", [("Piano", 0, False, comping(repeats=3)), ("Sax", 65, False, lick)])


def upload(base, path, name=None):
    with open(path, "rb") as f:
        return httpx.post(f"{base}/api/tunes", files={"file": (name or os.path.basename(path), f.read())}, timeout=30)


def test_page_and_upload(server, tune_file):
    page = httpx.get(server + "/").text
    assert "jazz-lstm studio" in page and "/static/app.js" in page and "http" not in page.split("<body>")[1].split("</body>")[0]
    r = upload(server, tune_file)
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["melody_track"] == "1: Sax" and "Dm7" in t["chart"] and t["ranking"][0]["name"] == "Sax"
    roll = httpx.get(server + t["pianoroll"])
    assert roll.status_code == 200 and roll.content[:4] == b"\x89PNG"
    r = httpx.post(f"{server}/api/tunes/{t['tune_id']}/melody", params={"track": 0})
    assert r.status_code == 200 and r.json()["melody_track"] == "0: Piano"


def test_bad_uploads(server, tmp_path):
    bad = tmp_path / "x.mid"
    bad.write_bytes(b"garbage bytes, not MIDI")
    r = upload(server, bad)
    assert r.status_code == 400 and "not a readable MIDI" in r.json()["detail"] and str(tmp_path) not in r.json()["detail"]
    r = upload(server, bad, name="../../etc/passwd")
    assert r.status_code == 400 and "unknown file type" in r.json()["detail"]
    big = tmp_path / "big.mid"
    big.write_bytes(b"MThd" + b"\0" * (5 * 1024 * 1024 + 10))
    assert upload(server, big).status_code == 413


def test_train_progress_cancel_and_queue(server, tune_file):
    t = upload(server, tune_file).json()
    job = httpx.post(f"{server}/api/train", json={"tune_id": t["tune_id"], "epochs": 2000}).json()
    busy = httpx.post(f"{server}/api/train", json={"tune_id": t["tune_id"], "epochs": 5})
    assert busy.status_code == 429 and "already running" in busy.json()["detail"]
    for _ in range(200):
        j = httpx.get(f"{server}/api/jobs/{job['id']}").json()
        if j["epoch"] >= 2:
            break
        time.sleep(0.05)
    httpx.post(f"{server}/api/jobs/{job['id']}/cancel")
    for _ in range(200):
        j = httpx.get(f"{server}/api/jobs/{job['id']}").json()
        if j["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert j["status"] == "cancelled" and 2 <= j["epoch"] < 2000 and len(j["losses"]) == j["epoch"] and j["model_id"]
    job = httpx.post(f"{server}/api/train", json={"tune_id": t["tune_id"], "epochs": 5}).json()
    for _ in range(200):
        j = httpx.get(f"{server}/api/jobs/{job['id']}").json()
        if j["status"] == "done":
            break
        time.sleep(0.05)
    assert j["status"] == "done"
    r = httpx.post(f"{server}/api/generate", json={"model_id": j["model_id"], "chart": "Dm7 G7 | Cmaj7 |", "bars": 4,
                                                   "formats": ["wav", "svg"]}, timeout=60).json()
    assert httpx.get(server + r["files"]["wav"]).content[:4] == b"RIFF"
    assert b"<svg" in httpx.get(server + r["files"]["svg"]).content
    assert httpx.get(server + r["files"]["json"]).json()["tokens"]


def test_generate_errors(server):
    r = httpx.post(f"{server}/api/generate", json={"chart": "Dm7 | Qx7 |"})
    assert r.status_code == 400 and "unknown chord symbol" in r.json()["detail"]
    assert httpx.post(f"{server}/api/generate", json={"chart": "C", "temperature": 0}).status_code == 400
    assert httpx.post(f"{server}/api/generate", json={"chart": "C", "model_id": "nope"}).status_code == 404
    assert httpx.get(f"{server}/api/results/nope/mid").status_code == 404
    assert httpx.get(f"{server}/static/../../README.md").status_code == 404
    r = httpx.post(f"{server}/api/generate", json={"chart": "/etc/hostname"})  # never a file on the server
    assert r.status_code == 400 and "unknown chord symbol" in r.json()["detail"]


@pytest.mark.slow
def test_fifty_concurrent_generates(server):
    async def go():
        async with httpx.AsyncClient(timeout=120) as client:
            reqs = [client.post(f"{server}/api/generate", json={"chart": "F7 | Bb7 | F7 | C7 |", "bars": 8, "seed": i,
                                                                "formats": ["mid"]}) for i in range(50)]
            return await asyncio.gather(*reqs)

    t = time.perf_counter()
    res = asyncio.run(go())
    assert [r.status_code for r in res] == [200] * 50
    assert len({r.json()["result_id"] for r in res}) == 50
    # 23 s with the Impro-Visor model, 44-62 s with the WJazzD one: its novelty guard follows a 7x larger
    # training corpus (190,000 values) at every step -- making sampling cheaper is issue #23's
    assert time.perf_counter() - t < 120


def test_upload_a_leadsheet(server, tmp_path):
    from test_corpus import TUNE

    ls = tmp_path / "tune.ls"
    ls.write_text(TUNE)
    r = upload(server, ls)
    assert r.status_code == 200, r.text
    t = r.json()
    assert "G7b9" in t["chart"] and "G7#9" in t["chart"] and t["notes"] > 10
    bad = tmp_path / "bad.ls"
    bad.write_text("(part (type melody)) c4 q4")
    r = upload(server, bad)
    assert r.status_code == 400 and "not a note" in r.json()["detail"]


def test_host_origin_and_headers(server):
    """DNS rebinding (a foreign Host) and cross-origin POSTs are refused; pages carry security
    headers; the API's docs need no CDN (the schema is served, the Swagger page is off)."""
    port = server.rsplit(":", 1)[1]
    assert httpx.get(server + "/", headers={"Host": "evil.example"}).status_code == 400
    assert httpx.get(server + "/", headers={"Host": f"localhost:{port}"}).status_code == 200
    r = httpx.post(f"{server}/api/generate", json={"chart": "C |"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = httpx.post(f"{server}/api/generate", json={"chart": "C |", "bars": 1, "formats": []},
                   headers={"Origin": f"http://127.0.0.1:{port}"}, timeout=60)
    assert r.status_code == 200, r.text
    page = httpx.get(server + "/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(server + "/api/docs").status_code == 404
    assert httpx.get(server + "/api/openapi.json").json()["info"]["title"] == "jazz-lstm studio"


def test_chunked_upload_is_cut_off_and_others_are_answered(server):
    """A 64 MB chunked upload (no Content-Length) is refused with 413 once it passes the cap,
    without being spooled whole."""
    def body():
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.mid\"\r\n\r\n"
        for _ in range(64):
            yield b"\0" * (1024 * 1024)

    r = httpx.post(f"{server}/api/tunes", content=body(), headers={"Content-Type": "multipart/form-data; boundary=b"},
                   timeout=60)
    assert r.status_code == 413
    assert httpx.get(server + "/api/progressions", timeout=5).status_code == 200


def test_zip_bomb_and_hostile_files_are_400(server, tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.mxl"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("score.xml", b" " * (40 * 1024 * 1024))  # 40 MB of spaces, a few KB packed
    assert bomb.stat().st_size < 200_000
    r = upload(server, bomb)
    assert r.status_code == 400 and "unpacks to more than" in r.json()["detail"]
    zero_ts = tmp_path / "ts.mid"  # a time signature with numerator 0
    zero_ts.write_bytes(b"MThd\0\0\0\x06\0\0\0\x01\x01\xe0MTrk\0\0\0\x14\0\xff\x58\x04\0\x02\x18\x08"
                        b"\0\x90\x3c\x40\x60\x80\x3c\0\0\xff\x2f\0")
    r = upload(server, zero_ts)
    assert r.status_code == 400, r.text


def test_slow_parse_is_timed_out_and_does_not_block(server, tune_file, monkeypatch):
    """Parsing runs in a worker process with a time limit, off the event loop: while one upload
    hangs, other clients are answered within a second."""
    import jazz_lstm.app.web.service as service

    def hang(*a, **k):
        time.sleep(30)

    monkeypatch.setattr(service, "read_tune", hang)  # what the parse worker calls
    monkeypatch.setattr(service, "PARSE_SECONDS", 2.0)
    result = {}
    th = threading.Thread(target=lambda: result.setdefault("r", upload(server, tune_file)))
    th.start()
    time.sleep(0.3)
    t = time.perf_counter()
    assert httpx.get(server + "/api/progressions", timeout=5).status_code == 200
    assert time.perf_counter() - t < 1.0
    th.join(30)
    assert result["r"].status_code == 400 and "took longer than 2 s" in result["r"].json()["detail"]


def test_retention_bounds_and_cleanup(tmp_path):
    from jazz_lstm.app.web.service import Bounded, Studio

    st = Studio(str(tmp_path / "w"), keep_minutes=10, keep_bytes=3000)
    os.makedirs(st.folder, exist_ok=True)
    old = st.new_path(".wav")
    with open(old, "wb") as f:
        f.write(b"x" * 10)
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    paths = []
    for i in range(4):
        paths.append(st.new_path(".mid"))
        with open(paths[-1], "wb") as f:
            f.write(b"y" * 1000)
        os.utime(paths[-1], (time.time() - 60 + i, time.time() - 60 + i))
    st.clean()
    assert not os.path.exists(old)  # older than the keep time
    assert [os.path.exists(p) for p in paths] == [False, True, True, True]  # the oldest beyond 3000 bytes
    b = Bounded(3)
    for i in range(10):
        b[i] = i
    assert list(b) == [7, 8, 9]
    st.close()
    assert not os.path.exists(st.folder)


def test_hostile_json_origins_and_stalled_bodies(server):
    """Issue #25.10: non-finite numbers and lone surrogates are 400 (never 500); another port on
    localhost is another origin; a body that stalls is cut off."""
    import socket

    for body in ('{"chart": "C |", "tempo": NaN}', '{"chart": "C |", "bars": 1e309}', '{"chart": "C |", "temperature": Infinity}',
                 '{"chart": "C \\ud800 |"}', '{"chart": "\\udfff"}', '{"chart": "C |", "seed": -1e309}'):
        r = httpx.post(f"{server}/api/generate", content=body, headers={"Content-Type": "application/json"}, timeout=60)
        assert r.status_code == 400, (body, r.status_code, r.text)
    port = server.rsplit(":", 1)[1]
    r = httpx.post(f"{server}/api/generate", json={"chart": "C |"}, headers={"Origin": "http://localhost:9999"})
    assert r.status_code == 403
    r = httpx.post(f"{server}/api/generate", json={"chart": "C7 |", "bars": 1}, headers={"Origin": f"http://127.0.0.1:{port}"},
                   timeout=60)
    assert r.status_code == 200, r.text
    from jazz_lstm.app.web import app as web_app

    old, web_app.BODY_SECONDS = web_app.BODY_SECONDS, 1
    try:
        s = socket.create_connection(("127.0.0.1", int(port)))
        s.sendall(b"POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 4000000\r\n\r\n{\"chart\"")
        s.settimeout(10)
        t = time.perf_counter()
        reply = s.recv(4096)
        assert b" 408 " in reply.split(b"\r\n")[0] and time.perf_counter() - t < 5, reply[:200]
        s.close()
    finally:
        web_app.BODY_SECONDS = old


def test_chart_search_chart_only_uploads_and_ireal_links(tmp_path_factory):
    """Issue #22: the studio's search box, a chart-only leadsheet loads as a chart, an iReal Pro
    link is a chart, slash chords never give 500, and errors name the client's own file."""
    from fastapi.testclient import TestClient

    from jazz_lstm.app.web.app import create_app
    from jazz_lstm.app.web.service import Studio

    folder = tmp_path_factory.mktemp("lib")
    (folder / "AutumnLeavesGm.ls").write_text("(title Autumn Leaves)\n(tempo 150)\n(part (type chords))\nCm7 | F7 | Bbmaj7 |\n")
    client = TestClient(create_app(Studio(str(tmp_path_factory.mktemp("work")), charts=[str(folder)]),
                                   hosts=("testserver",)))
    r = client.get("/api/charts", params={"q": "autumn leaves"}).json()
    assert r["matches"][0]["title"] == "Autumn Leaves" and "path" not in r["matches"][0]
    c = client.get(f"/api/charts/{r['matches'][0]['id']}").json()
    assert c["chart"].startswith("| Cm7") and c["tempo"] == 150 and str(folder) not in str(c)
    assert client.get("/api/charts/99999").status_code == 404
    up = client.post("/api/tunes", files={"file": ("my chart.ls", (folder / "AutumnLeavesGm.ls").read_bytes())}).json()
    assert up["chart_only"] and "Cm7" in up["chart"]
    from test_chart_library import link

    page = f'<html><body><a href="{link("Exported", "T44D-7 G7 |C^7XyQZ ")}">x</a></body></html>'.encode()
    up = client.post("/api/tunes", files={"file": ("playlist.html", page)}).json()
    assert up["chart_only"] and up["name"] == "Exported" and up["chart"].startswith("| Dm7 G7")
    bad = client.post("/api/tunes", files={"file": ("my song.mid", b"MThd garbage")})
    assert bad.status_code == 400 and "my song.mid" in bad.json()["detail"] and ".mid:" in bad.json()["detail"]
    assert not any(len(w) == 32 for w in bad.json()["detail"].replace(".", " ").split())  # no server-side file name
    for chart in (link("Tune", "T44D-7 G7 |C^7XyQZ "), "F/G | Ab/Bb | Gm7/C | C |", "F/Eb | E/Eb | C7alt | Bb13#11 |"):
        r = client.post("/api/generate", json={"chart": chart, "bars": 4, "formats": ["musicxml", "svg"]})
        assert r.status_code == 200, (chart[:40], r.text)
