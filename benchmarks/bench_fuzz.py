"""Hostile input at volume (issue #13): >= 1,000 malformed inputs through the readers and >= 100
through the CLI and the studio.  Counts exit-1 results (anything but a JazzError / exit 2),
hangs over 10 s and peak memory; then the studio under a 1 GB chunked upload, a zip bomb and
a cross-origin POST, with its memory and the latency of other clients measured meanwhile.

    python benchmarks/bench_fuzz.py          # about 2-4 minutes on 2 cores
"""
from __future__ import annotations

import io
import os
import random
import resource
import signal
import sys
import tempfile
import threading
import time
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from common import row  # noqa: E402
from conftest import LICK, write_midi  # noqa: E402
from test_fuzz import musicxml  # noqa: E402

from jazz_lstm.errors import JazzError  # noqa: E402

HANG = 10  # seconds


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def mutated_midis(base: bytes, n: int, rng: random.Random):
    for _ in range(n):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.choice([0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, rng.randrange(256)])
        if rng.random() < 0.1:
            data = data[:rng.randrange(len(data))]
        yield ".mid", bytes(data)


def mutated_scores(n: int, rng: random.Random):
    values = ["0", "1", "-4", "1e308", "nan", "x", "100000000", "0.0001", "3", "480", "1000", "128"]
    for _ in range(n):
        yield ".musicxml", musicxml(*(rng.choice(values) for _ in range(6))).encode()


def mutated_leadsheets(n: int, rng: random.Random):
    words = ["c4", "d8", "r2", "e-4", "f#8/3", "g4+", "|", "Dm7", "G7b9", "(meter 4 4)", "(meter 0 4)", "(key 9)",
             "(part (type melody))", "(part (type chords))", "NC", "32+120+480", "a", "x9", "((", "))"]
    for _ in range(n):
        yield ".ls", " ".join(rng.choice(words) for _ in range(rng.randint(0, 40))).encode()


def through_readers(inputs, folder: str) -> dict:
    from jazz_lstm.midi_io import read_tune

    counts = {"inputs": 0, "read": 0, "refused": 0, "exit1": 0, "hangs": 0, "slowest_s": 0.0}
    old = signal.signal(signal.SIGALRM, _alarm)
    for i, (ext, data) in enumerate(inputs):
        path = os.path.join(folder, f"in{i}{ext}")
        with open(path, "wb") as f:
            f.write(data)
        counts["inputs"] += 1
        t = time.perf_counter()
        signal.alarm(HANG)
        try:
            read_tune(path)
            counts["read"] += 1
        except JazzError:
            counts["refused"] += 1
        except Hang:
            counts["hangs"] += 1
        except Exception as e:  # noqa: BLE001 -- what the benchmark counts
            counts["exit1"] += 1
            print(f"  exit-1 result: {ext} {type(e).__name__}: {e}", flush=True)
        finally:
            signal.alarm(0)
        counts["slowest_s"] = max(counts["slowest_s"], time.perf_counter() - t)
        os.unlink(path)
    signal.signal(signal.SIGALRM, old)
    return counts


def through_cli(inputs, folder: str) -> dict:
    from jazz_lstm.cli import main

    counts = {"runs": 0, "exit0": 0, "exit2": 0, "exit1": 0}
    for i, (ext, data) in enumerate(inputs):
        path = os.path.join(folder, f"c{i}{ext}")
        with open(path, "wb") as f:
            f.write(data)
        counts["runs"] += 1
        try:
            main(["inspect", path, "--json"])
            code = 0
        except SystemExit as e:
            code = e.code or 0
        counts[f"exit{code}" if code in (0, 1, 2) else "exit1"] += 1
    return counts


def studio(inputs) -> dict:
    import httpx
    import uvicorn

    from jazz_lstm.web.app import create_app
    from jazz_lstm.web.service import Studio

    with tempfile.TemporaryDirectory() as work:
        srv = uvicorn.Server(uvicorn.Config(create_app(Studio(work)), host="127.0.0.1", port=8791, log_level="error"))
        th = threading.Thread(target=srv.run, daemon=True)
        th.start()
        while not srv.started:
            time.sleep(0.05)
        base = "http://127.0.0.1:8791"
        counts = {"uploads": 0, "status_500": 0, "status_400": 0, "status_200": 0}
        for ext, data in inputs:
            r = httpx.post(base + "/api/tunes", files={"file": ("x" + ext, data)}, timeout=60)
            counts["uploads"] += 1
            counts[f"status_{r.status_code}"] = counts.get(f"status_{r.status_code}", 0) + 1
        worst = [0.0]
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                t = time.perf_counter()
                httpx.get(base + "/api/progressions", timeout=10)
                worst[0] = max(worst[0], time.perf_counter() - t)
                time.sleep(0.1)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()

        def gigabyte():
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.mid"\r\n\r\n'
            for _ in range(1024):
                yield b"\0" * (1024 * 1024)

        t = time.perf_counter()
        try:
            big = httpx.post(base + "/api/tunes", content=gigabyte(), timeout=120,
                             headers={"Content-Type": "multipart/form-data; boundary=b"}).status_code
        except httpx.HTTPError as e:  # the server may close the connection once it has answered 413
            big = type(e).__name__
        counts["chunked_1GB"] = f"{big} in {time.perf_counter() - t:.1f} s"
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z, z.open("score.xml", "w", force_zip64=True) as member:
            for _ in range(1024):  # 1 GB of spaces, written in pieces: the client's memory stays small
                member.write(b" " * (1024 * 1024))
        counts["zip_bomb"] = f"{len(bomb.getvalue()) // 1024} KB -> " + str(
            httpx.post(base + "/api/tunes", files={"file": ("b.mxl", bomb.getvalue())}, timeout=60).status_code)
        counts["cross_origin_post"] = httpx.post(base + "/api/generate", json={"chart": "C |"},
                                                 headers={"Origin": "http://evil.example"}).status_code
        counts["foreign_host"] = httpx.get(base + "/", headers={"Host": "evil.example"}).status_code
        stop.set()
        prober.join()
        counts["other_clients_worst_s"] = round(worst[0], 3)
        srv.should_exit = True
        th.join(10)
    return counts


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> list[dict]:
    rng = random.Random(0)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        base = open(write_midi(os.path.join(d, "t.mid"), [("Sax", 65, False, LICK)]), "rb").read()
        inputs = list(mutated_midis(base, 700, rng)) + list(mutated_scores(150, rng)) + list(mutated_leadsheets(250, rng))
        t = time.perf_counter()
        c = through_readers(inputs, d)
        print(f"readers: {c} in {time.perf_counter() - t:.0f} s, peak {peak_mb():.0f} MB", flush=True)
        rows.append(row("fuzz: reader inputs (exit-1 / hangs)", c["inputs"], "n",
                        "0 / 0", f"exit-1 {c['exit1']}, hangs {c['hangs']}, slowest {c['slowest_s']:.1f} s"))
        cli_inputs = inputs[::11][:100]
        cc = through_cli(cli_inputs, d)
        print(f"cli: {cc}", flush=True)
        rows.append(row("fuzz: CLI runs (exit 1)", cc["runs"], "n", "0", f"exit 0 {cc['exit0']}, 2 {cc['exit2']}, 1 {cc['exit1']}"))
        rows.append(row("fuzz: peak memory, readers + CLI", peak_mb(), "MB", "<= 1024"))
    s = studio(inputs[::7][:100])
    print(f"studio: {s}, peak {peak_mb():.0f} MB", flush=True)
    rows.append(row("fuzz: studio uploads (HTTP 500)", s["uploads"], "n", "0", f"500s {s['status_500']}; 1 GB chunked: "
                    f"{s['chunked_1GB']}; zip bomb {s['zip_bomb']}; cross-origin {s['cross_origin_post']}"))
    rows.append(row("fuzz: other clients' worst latency meanwhile", s["other_clients_worst_s"], "s", "<= 1"))
    rows.append(row("fuzz: peak memory with the studio", peak_mb(), "MB", "<= 500 (studio)"))
    return rows


if __name__ == "__main__":
    main()
