"""Issue #25, hostile input round three: one regression test per reproducer (the files are made
here), in the order of the issue's list."""
import io
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile

import pytest
from conftest import LICK, comping, run_cli, write_midi

from jazz_lstm.core.errors import JazzError

CLI = [sys.executable, "-m", "jazz_lstm"]


def cli(*args, timeout=120, **kw):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kw)


def one_line_error(r):
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    return r.returncode == 2 and len(lines) >= 1 and lines[-1].startswith("error:") and "Traceback" not in r.stderr


@pytest.fixture
def tune(tmp_path):
    lick = [(p, s + 16 * i, d) for i in range(3) for p, s, d in LICK]
    return write_midi(tmp_path / "t.mid", [("Piano", 0, False, comping(repeats=3)), ("Sax", 65, False, lick)])


def score_xml(key="<key><mode>major</mode></key>"):
    notes = "".join(f"<note><pitch><step>{s}</step><octave>4</octave></pitch><duration>1</duration><type>quarter</type></note>"
                    for s in "CDEFGABCDEFGABCD")
    measures = "".join(f'<measure number="{i + 1}">' + ("<attributes><divisions>1</divisions>" + key +
                       "<time><beats>4</beats><beat-type>4</beat-type></time></attributes>" if i == 0 else "")
                       + '<harmony><root><root-step>C</root-step></root><kind>major-seventh</kind></harmony>'
                       + notes[i * len(notes) // 4:(i + 1) * len(notes) // 4] + "</measure>" for i in range(4))
    return ('<?xml version="1.0"?><score-partwise version="3.1"><part-list><score-part id="P1"><part-name>Sax</part-name>'
            f'</score-part></part-list><part id="P1">{measures}</part></score-partwise>')


# 1. a device is written into, never replaced -----------------------------------------------------
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_devices_are_never_replaced(tune, tmp_path):
    r = cli("inspect", tune, "--write-chart", "/dev/full")
    assert one_line_error(r) and "No space left" in r.stderr, r.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    r = cli("train", tune, "--kind", "recipe", "--epochs", "1", "-o", "/dev/null", "-q")
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_fifo_or_folder_in_the_way_is_refused_and_a_link_stays_a_link(tmp_path):
    from jazz_lstm.core.fileio import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(JazzError, match="is a pipe"):
        write_atomic(str(fifo), b"x")
    with pytest.raises(JazzError, match="is a folder"):
        write_atomic(str(tmp_path), b"x")
    target, link = tmp_path / "target.txt", tmp_path / "link.txt"
    target.write_text("old")
    link.symlink_to(target)
    write_atomic(str(link), "new")
    assert link.is_symlink() and target.read_text() == "new"


# 2. a hundred chords in one bar ------------------------------------------------------------------
def test_a_hundred_chords_in_one_bar(tmp_path, capsys):
    from jazz_lstm.core.charts import format_chart, parse_chart

    text = " ".join(["C7", "F7"] * 50) + " |"
    chords = parse_chart(text)
    assert len(chords) == 100 and format_chart(chords).count("|") == 2
    code, _, err = run_cli(capsys, "generate", "--chords", text, "--formats", "none", "-o", str(tmp_path / "o"))
    assert code == 0, err


# 3. a <key> without <fifths> ---------------------------------------------------------------------
def test_a_key_without_fifths(tmp_path):
    from jazz_lstm.io.formats import read_tune

    path = tmp_path / "k.musicxml"
    path.write_text(score_xml())
    solo = read_tune(str(path))
    assert len(solo.notes) == 16 and solo.key is None


# 4. a corrupt .mxl -------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["crc", "deflate", "name", "truncated"])
def test_a_corrupt_mxl_is_one_line(tmp_path, damage, capsys):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/container.xml", '<container><rootfiles><rootfile full-path="score.xml"/></rootfiles></container>')
        z.writestr("score.xml", score_xml("<key><fifths>0</fifths></key>"))
    data = bytearray(buf.getvalue())
    at = data.find(b"score.xml") + len("score.xml")  # the member's compressed bytes follow its local header
    if damage == "crc":
        data[at + 200] ^= 0x01
    elif damage == "deflate":
        data[at:at + 8] = b"\xff" * 8
    elif damage == "name":
        data[data.find(b"score.xml")] = ord("t")  # the local header no longer names what the directory names
    else:
        data = data[: len(data) // 2]
    path = tmp_path / "bad.mxl"
    path.write_bytes(bytes(data))
    code, _, err = run_cli(capsys, "inspect", str(path))
    assert code == 2 and "bad.mxl" in err and "internal error" not in err, err


# 5. --from-manifest of a device, a folder, a pipe ------------------------------------------------
@pytest.mark.parametrize("what", ["device", "folder", "pipe"])
def test_from_manifest_reads_only_regular_files(tmp_path, what, capsys):
    path = {"device": "/dev/zero", "folder": str(tmp_path)}.get(what)
    if what == "pipe":
        path = str(tmp_path / "fifo")
        os.mkfifo(path)
    t = time.perf_counter()
    code, _, err = run_cli(capsys, "generate", "--from-manifest", path, "-o", str(tmp_path / "o"))
    assert code == 2 and f"is a {what}" in err and time.perf_counter() - t < 10, err


# 6. model sizes and learning rates that no model file can hold -------------------------------------
@pytest.mark.parametrize("flag,value,says", [("--hidden", "1000000", "--hidden"), ("--lr", "inf", "--lr"),
                                             ("--layers", "100", "--layers"), ("--device", "bogus", "--device"),
                                             ("--dropout", "1.5", "--dropout")])
def test_train_refuses_a_config_before_reading(tune, tmp_path, flag, value, says, capsys):
    out = tmp_path / "m.safetensors"
    code, _, err = run_cli(capsys, "train", tune, "--kind", "recipe", flag, value, "-o", str(out))
    assert code == 2 and says in err and not out.exists(), err


# 9. the studio's address -------------------------------------------------------------------------
def test_studio_port_in_use_and_bad_host_are_one_line():
    from jazz_lstm.app.web.app import listen

    taken = listen("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        r = cli("studio", "--port", port, timeout=30)
        assert one_line_error(r) and "cannot listen" in r.stderr, r.stderr
    finally:
        taken.close()
    r = cli("studio", "--host", "999.1.1.1", timeout=30)
    assert one_line_error(r) and "999.1.1.1" in r.stderr, r.stderr


# 11. the 10,000-bar limit ------------------------------------------------------------------------
def test_the_chart_limit_is_enforced(tmp_path, capsys):
    chart = tmp_path / "long.txt"
    chart.write_text("C7 | " * 10_001)
    code, _, err = run_cli(capsys, "generate", "--chords", str(chart), "--bars", "4", "--formats", "none",
                           "-o", str(tmp_path / "o"))
    assert code == 2 and "10001 bars" in err, err


# 12. one line, and the user's text is not markup ------------------------------------------------
def test_errors_are_one_line_and_never_markup(tmp_path):
    ls = tmp_path / "bad.ls"
    ls.write_text("(title x)\n(key " + "zz " * 2000 + ")\n" + "\n".join("(part (type melody))" for _ in range(140)))
    chart = tmp_path / "passwd"
    chart.write_text("root:x:0:0:root:/root:/bin/bash\n")
    for args in (["inspect", ls], ["generate", "--chords", chart, "--formats", "none", "-o", tmp_path / "o"]):
        r = cli(*args)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert r.returncode == 2 and len(lines) == 1 and len(lines[0]) < 500, r.stderr
    assert ":x:" in r.stderr and "\u274c" not in r.stderr


# 13. two SIGTERMs --------------------------------------------------------------------------------
def test_two_sigterms_exit_130(tune, tmp_path):
    out = tmp_path / "m.safetensors"
    proc = subprocess.Popen(CLI + ["train", tune, "-o", str(out), "--kind", "recipe", "--epochs", "1000000", "-q",
                                   "--save-every", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(1200):  # until it trains (its first checkpoint): on a loaded machine 3 s can still be start-up
        if out.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, (proc.returncode, err)


# 14. long files within the limits render in bounded time ------------------------------------------
def test_a_tiny_midi_reaching_far_renders_quickly(tmp_path, capsys):
    notes = [(60 + i % 12, float(i), 1.0) for i in range(40)] + [(64, 39_000.0, 1.0)]
    path = write_midi(tmp_path / "far.mid", [("Sax", 65, False, notes)])
    t = time.perf_counter()
    code, _, err = run_cli(capsys, "render", path, "-o", str(tmp_path / "r"), "--formats", "png,musicxml")
    assert code == 0 and time.perf_counter() - t < 30 and "first 256 of" in err, err


def test_an_abc_note_of_a_hundred_million_units(tmp_path, capsys):
    path = tmp_path / "a.abc"
    path.write_text("X:1\nT:t\nM:4/4\nL:1/8\nK:C\nA100000000|\n")
    t = time.perf_counter()
    code, _, err = run_cli(capsys, "inspect", str(path))
    assert code == 2 and "unit lengths" in err and time.perf_counter() - t < 5, err


# 15. a closed pipe ---------------------------------------------------------------------------------
def test_a_closed_pipe_is_a_normal_end(tmp_path):
    r = subprocess.run(" ".join(CLI) + f" generate --bars 4 -n 3 --formats none -o {tmp_path / 'o'} | head -1",
                       shell=True, capture_output=True, text=True, timeout=120,
                       executable="/bin/bash", env={**os.environ, "SHELLOPTS": "pipefail"})
    assert r.returncode == 0 and r.stdout.startswith("wrote") and "error" not in r.stderr, r.stderr


# 16. outputs are checked before the work ----------------------------------------------------------
@pytest.mark.parametrize("args,says", [(["-o", "FILE"], "is a file, not a folder"), (["--formats", "mp3"], "--formats"),
                                       (["--soundfont", "FILE"], "not a SoundFont")])
def test_generate_checks_its_outputs_first(tmp_path, args, says, capsys):
    f = tmp_path / "file.txt"
    f.write_text("x")
    args = [str(f) if a == "FILE" else a for a in args]
    args = args if "-o" in args else args + ["-o", str(tmp_path / "o")]
    t = time.perf_counter()
    code, _, err = run_cli(capsys, "generate", "--bars", "64", *args)
    assert code == 2 and says in err and "improvising" not in err and time.perf_counter() - t < 5, err


def test_train_checks_its_output_first(tune, capsys):
    code, _, err = run_cli(capsys, "train", tune, "-o", "/proc/no/m.safetensors")
    assert code == 2 and "cannot write here" in err and "read 1" not in err, err


# 18. what is announced is what is made -----------------------------------------------------------
def test_a_long_solo_announces_no_wav():
    from jazz_lstm.core.harmony import parse_chord
    from jazz_lstm.core.music import Note, Solo
    from jazz_lstm.render.formats import FORMATS as ALL_FORMATS
    from jazz_lstm.render.formats import plan_render

    solo = Solo(notes=[Note(60, 4.0 * b, 4.0) for b in range(1000)], chords=[parse_chord("Cmaj7", 0.0, 4000.0)],
                tempo=134.0)
    plan = plan_render(solo, ALL_FORMATS)
    assert plan.wav_bytes == 0 and "wav" not in plan.formats and plan.picture_bars == 256 and plan.pages == 4
    assert any("no audio" in w for w in plan.warnings)


# 19. plurals, and no blank lines when stderr is not a terminal -----------------------------------
def test_plurals_and_no_blank_progress_lines(tune, tmp_path):
    r = cli("train", tune, "--kind", "recipe", "--epochs", "1", "-o", tmp_path / "m.safetensors")
    assert r.returncode == 0 and "read 1 tune," in r.stderr and "1 epoch," in r.stdout, (r.stdout, r.stderr)
    assert "" not in r.stderr.splitlines(), r.stderr


def test_a_batch_of_writes_flushes_once(tmp_path, monkeypatch):
    """fileio.one_sync: each file still lands whole through its rename, without its own fsync; one
    os.sync when the batch ends (nested batches: at the outermost end); outside a batch, an fsync a file."""
    from jazz_lstm.core import fileio

    calls = []
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: calls.append("fsync"))
    monkeypatch.setattr(fileio.os, "sync", lambda: calls.append("sync"))
    with fileio.one_sync():
        for k in range(5):
            fileio.write_atomic(str(tmp_path / f"solo-{k}.mid"), b"MThd" * (k + 1))
        with fileio.one_sync():
            fileio.write_atomic(str(tmp_path / "solo-5.json"), "{}")
        assert calls == []
    assert calls == ["sync"]
    assert [(tmp_path / f"solo-{k}.mid").read_bytes() for k in range(5)] == [b"MThd" * (k + 1) for k in range(5)]
    assert not [p for p in os.listdir(tmp_path) if p.startswith(fileio.TEMP_PREFIX)]
    fileio.write_atomic(str(tmp_path / "one.txt"), "x")
    assert calls == ["sync", "fsync"]
