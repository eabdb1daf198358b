"""Hostile input at volume (issues #13, #25): >= 1,000 malformed inputs through the readers
(MIDI, MusicXML, leadsheets, corrupt .mxl archives, ABC) and >= 100 through the CLI and the
studio.  Counts exit-1 results (anything but a JazzError / exit 2), hangs over 10 s, exit-2
messages of more than one line and peak memory; mutated model files (absurd header sizes,
removed checksums, flipped bytes, foreign tensor names: every one accepted is a corrupted
file let in); device and special-file paths on every command; studio JSON with non-finite
numbers and lone surrogates; then the studio under a 1 GB chunked upload, a zip bomb and
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

from jazz_lstm.core.errors import JazzError  # noqa: E402

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


def mutated_mxl(n: int, rng: random.Random):
    """Compressed MusicXML with bad CRCs, bad deflate data, renamed or truncated members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/container.xml", '<container><rootfiles><rootfile full-path="score.xml"/></rootfiles></container>')
        z.writestr("score.xml", musicxml("1", "4", "4", "1", "1", "120"))
    base = buf.getvalue()
    for _ in range(n):
        data = bytearray(base)
        kind = rng.randrange(4)
        if kind == 0:
            for _ in range(rng.randint(1, 6)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            at = data.find(b"score.xml") + 9
            data[at:at + 16] = bytes(rng.randrange(256) for _ in range(16))
        elif kind == 2:
            data[data.find(b"score.xml")] = ord("x")
        else:
            data = data[:rng.randrange(len(data))]
        yield ".mxl", bytes(data)


def mutated_abc(n: int, rng: random.Random):
    heads = ["X:1", "T:t", "M:4/4", "M:0/4", "M:100000000/4", "L:1/8", "L:1/100000", "L:100000/1", "K:C", "K:zz", "Q:1/4=120",
             "Q:1/4=0"]
    body = ["A", "B2", "c/2", "d3/2", "z4", "A100000000", "Z100000", "x9999999", "|", "||", ":|", "|:", '"C7"', '"Dm7b5"',
            "[CEG]", "(3abc", "^f", "_b", "=c", "a'", "C,", "{g}", "!trill!", "%", "\\", "]", "["]
    for _ in range(n):
        lines = [rng.choice(heads) for _ in range(rng.randint(0, 6))] + ["K:C"]
        lines.append(" ".join(rng.choice(body) for _ in range(rng.randint(0, 30))))
        yield ".abc", "\n".join(lines).encode()


def mutated_models(path: str, n: int, rng: random.Random):
    """(what, bytes) of model files with one thing changed: every one must be refused."""
    import json

    from safetensors import safe_open
    from safetensors.torch import load_file, save

    with safe_open(path, "pt") as f:
        meta = dict(f.metadata())
    raw = open(path, "rb").read()
    for i in range(n):
        kind = i % 6
        m, tensors = dict(meta), load_file(path)
        if kind == 0:  # a flipped byte anywhere past the header
            data = bytearray(raw)
            at = rng.randrange(8 + int.from_bytes(raw[:8], "little"), len(raw))
            data[at] ^= 1 << rng.randrange(8)
            yield "byte flipped", bytes(data)
            continue
        if kind == 1:
            cfg = json.loads(m["config"])
            key = rng.choice(list(cfg))
            cfg[key] = rng.choice([4096, 10**9, -1, 0, 8])
            m["config"] = json.dumps(cfg)
        elif kind == 2:
            m.pop("file_sha256", None)
            m.pop("weights_sha256", None) if rng.random() < 0.5 else None
            name = rng.choice(sorted(tensors))
            tensors[name] = tensors[name].clone()
            tensors[name].view(-1)[0] += 1
        elif kind == 3:
            tensors[f"optim.{rng.choice(['x', '0', '99'])}.{rng.choice(['bogus', 'exp_avg', ''])}"] = tensors["corpus.lengths"].clone()
        elif kind == 4:
            key = rng.choice(["chart", "train", "vocab", "kind", "features"])
            m[key] = rng.choice(["", "null", "{}", "[]", '{"chords": 5}', "x" * 100])
        else:
            m["train"] = m["train"].replace('"epochs_done": ', '"epochs_done": 9')
        data = save(tensors, metadata=m)
        if data != raw:  # an edit that changes nothing (a chord model's vocab is already "null") is no corruption
            yield f"edit {kind}", data


def through_models(inputs, folder: str) -> dict:
    from jazz_lstm.models.checkpoint import load

    counts = {"files": 0, "refused": 0, "accepted": 0, "exit1": 0, "multi_line": 0}
    for i, (what, data) in enumerate(inputs):
        path = os.path.join(folder, f"m{i}.safetensors")
        with open(path, "wb") as f:
            f.write(data)
        counts["files"] += 1
        try:
            load(path)
            counts["accepted"] += 1
            print(f"  corrupted model accepted: {what}", flush=True)
        except JazzError as e:
            counts["refused"] += 1
            counts["multi_line"] += "\n" in str(e)
        except Exception as e:  # noqa: BLE001 -- what the benchmark counts
            counts["exit1"] += 1
            print(f"  exit-1 result: model {what}: {type(e).__name__}: {e}", flush=True)
        os.unlink(path)
    return counts


def special_paths(folder: str) -> list[list[str]]:
    """Command lines that name devices, folders and pipes where files are expected."""
    fifo = os.path.join(folder, "fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    o = os.path.join(folder, "o")
    runs = []
    for p in ("/dev/zero", "/dev/null", folder, fifo, "/proc/self/mem", "/nonexistent/x"):
        runs += [["inspect", p], ["render", p, "-o", o], ["generate", "--chords", p, "-o", o, "--formats", "none"],
                 ["generate", "--from-manifest", p, "-o", o], ["generate", "-m", p, "-o", o],
                 ["generate", "--bars", "2", "--soundfont", p, "-o", o, "--formats", "wav"], ["train", p, "-o", o + ".st"],
                 ["evaluate", "-m", p], ["generate", "--bars", "2", "-o", p, "--formats", "none"]]
    return runs


def through_cli_args(runs, stop_each: float = HANG) -> dict:
    """Each command line in-process; counts exit codes, hangs and exit-2 messages over one line."""
    import contextlib

    from jazz_lstm.app.cli import main

    counts = {"runs": 0, "exit0": 0, "exit2": 0, "exit1": 0, "hangs": 0, "multi_line": 0}
    old = signal.signal(signal.SIGALRM, _alarm)
    for args in runs:
        counts["runs"] += 1
        err = io.StringIO()
        signal.alarm(int(stop_each))
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                main(list(args))
            code = 0
        except SystemExit as e:
            code = e.code or 0
        except Hang:
            code = "hang"
        finally:
            signal.alarm(0)
        if code == "hang":
            counts["hangs"] += 1
            print(f"  hang: {args}", flush=True)
            continue
        counts[f"exit{code}" if code in (0, 2) else "exit1"] += 1
        lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
        if code == 2 and sum(ln.startswith("error:") for ln in lines) != 1 or code == 2 and len(lines) > 3:
            counts["multi_line"] += 1
            print(f"  exit 2 on {len(lines)} lines: {args}", flush=True)
        if code not in (0, 2):
            print(f"  exit {code}: {args}: {err.getvalue()[-300:]}", flush=True)
    signal.signal(signal.SIGALRM, old)
    return counts


def studio_json(base: str, rng: random.Random, n: int = 100) -> dict:
    """POST /api/generate with non-finite numbers, huge numbers, lone surrogates and wrong types."""
    import httpx

    values = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1e18", "-1", "0", '"12"', "null", "[]", "{}", "true",
              '"\\ud800"', '"C7 \\udfff |"', '"\\u0000"']
    counts = {"requests": 0, "status_500": 0}
    for _ in range(n):
        fields = {"chart": rng.choice(['"C7 |"', '"Dm7 G7 |"'] + values), "bars": rng.choice(["4"] + values),
                  "tempo": rng.choice(["120"] + values), "temperature": rng.choice(["0.8"] + values),
                  "seed": rng.choice(["0"] + values), "model_id": rng.choice(['"default"'] + values),
                  "formats": rng.choice(['["png"]', "[]"] + values)}
        body = "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items() if rng.random() < 0.8 or k == "chart") + "}"
        r = httpx.post(base + "/api/generate", content=body.encode("utf-8", "surrogatepass"),
                       headers={"Content-Type": "application/json"}, timeout=120)
        counts["requests"] += 1
        counts[f"status_{r.status_code}"] = counts.get(f"status_{r.status_code}", 0) + 1
        if r.status_code >= 500:
            print(f"  HTTP {r.status_code}: {body[:200]}", flush=True)
    return counts


def through_readers(inputs, folder: str) -> dict:
    from jazz_lstm.io.formats import read_tune

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
    runs = []
    for i, (ext, data) in enumerate(inputs):
        path = os.path.join(folder, f"c{i}{ext}")
        with open(path, "wb") as f:
            f.write(data)
        runs.append(["inspect", path, "--json"])
    return through_cli_args(runs)


def studio(inputs) -> dict:
    import httpx
    import uvicorn

    from jazz_lstm.app.web.app import create_app
    from jazz_lstm.app.web.service import Studio

    with tempfile.TemporaryDirectory() as work:
        srv = uvicorn.Server(uvicorn.Config(create_app(Studio(work)), host="127.0.0.1", port=8791, log_level="error"))
        th = threading.Thread(target=srv.run, daemon=True)
        th.start()
        while not srv.started:
            time.sleep(0.05)
        base = "http://127.0.0.1:8791"
        counts = {"uploads": 0, "status_500": 0, "status_400": 0, "status_200": 0}
        counts["json"] = studio_json(base, random.Random(1))
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
        inputs = (list(mutated_midis(base, 700, rng)) + list(mutated_scores(150, rng)) + list(mutated_leadsheets(250, rng))
                  + list(mutated_mxl(150, rng)) + list(mutated_abc(150, rng)))
        t = time.perf_counter()
        c = through_readers(inputs, d)
        print(f"readers: {c} in {time.perf_counter() - t:.0f} s, peak {peak_mb():.0f} MB", flush=True)
        rows.append(row("fuzz: reader inputs (exit-1 / hangs)", c["inputs"], "n",
                        "0 / 0", f"exit-1 {c['exit1']}, hangs {c['hangs']}, slowest {c['slowest_s']:.1f} s"))
        cli_inputs = inputs[::11][:100]
        cc = through_cli(cli_inputs, d)
        print(f"cli: {cc}", flush=True)
        rows.append(row("fuzz: CLI runs (exit 1 / >1 line)", cc["runs"], "n", "0 / 0",
                        f"exit 0 {cc['exit0']}, 2 {cc['exit2']}, 1 {cc['exit1']}, multi-line {cc['multi_line']}"))
        rows.append(row("fuzz: peak memory, readers + CLI", peak_mb(), "MB", "<= 1024"))
        from jazz_lstm.io.formats import read_tune
        from jazz_lstm.models.recipe.train import TrainConfig, train

        model = os.path.join(d, "fresh.safetensors")  # a file this version writes (the shipped one predates its checksum)
        train([read_tune(os.path.join(d, "t.mid"))], TrainConfig(epochs=3, Tx=8, windows=4), out=model, progress=False)
        mc = through_models(mutated_models(model, 120, rng), d)
        print(f"models: {mc}", flush=True)
        rows.append(row("fuzz: mutated model files (accepted / exit 1)", mc["files"], "n", "0 / 0",
                        f"accepted {mc['accepted']}, exit-1 {mc['exit1']}, refused {mc['refused']}"))
        sc = through_cli_args(special_paths(d))
        print(f"special paths: {sc}", flush=True)
        rows.append(row("fuzz: device/folder/pipe paths (exit 1 / hangs / >1 line)", sc["runs"], "n", "0 / 0 / 0",
                        f"exit-1 {sc['exit1']}, hangs {sc['hangs']}, multi-line {sc['multi_line']}, exit 2 {sc['exit2']}"))
    s = studio(inputs[::7][:100])
    print(f"studio: {s}, peak {peak_mb():.0f} MB", flush=True)
    rows.append(row("fuzz: studio uploads (HTTP 500)", s["uploads"], "n", "0", f"500s {s['status_500']}; 1 GB chunked: "
                    f"{s['chunked_1GB']}; zip bomb {s['zip_bomb']}; cross-origin {s['cross_origin_post']}"))
    rows.append(row("fuzz: studio JSON, non-finite and surrogates (HTTP 500)", s["json"]["requests"], "n", "0",
                    f"500s {s['json']['status_500']}; " + ", ".join(f"{k} {v}" for k, v in s["json"].items() if k.startswith("status_"))))
    rows.append(row("fuzz: other clients' worst latency meanwhile", s["other_clients_worst_s"], "s", "<= 1"))
    rows.append(row("fuzz: peak memory with the studio", peak_mb(), "MB", "<= 500 (studio)"))
    return rows


if __name__ == "__main__":
    main()
