"""Hostile input (issue #13's reader cases): one clear line and exit 2, never a crash or a huge allocation."""
import os
import struct

import pytest
from conftest import run_cli

from jazz_lstm.core.errors import JazzError


def _vlq(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def midi(events: list[tuple[int, bytes]], division: int = 480) -> bytes:
    """A type-0 MIDI file from (delta ticks, event bytes)."""
    body = b"".join(_vlq(d) + e for d, e in events) + b"\x00\xff\x2f\x00"
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, division) + b"MTrk" + struct.pack(">I", len(body)) + body


NOTES = [(0, b"\x90\x3c\x50"), (480, b"\x80\x3c\x00"), (0, b"\x90\x3e\x50"), (480, b"\x80\x3e\x00"),
         (0, b"\x90\x40\x50"), (480, b"\x80\x40\x00"), (0, b"\x90\x41\x50"), (480, b"\x80\x41\x00")]


@pytest.mark.parametrize("name,data,msg", [
    ("ts0.mid", midi([(0, b"\xff\x58\x04\x00\x02\x18\x08")] + NOTES), "unsupported time signature"),
    ("tsden.mid", midi([(0, b"\xff\x58\x04\x04\x09\x18\x08")] + NOTES), "unsupported time signature"),
    ("ts128.mid", midi([(0, b"\xff\x58\x04\x01\x07\x18\x08")] + NOTES), "unsupported time signature"),
    ("div0.mid", midi(NOTES, division=0), ""),
    ("far.mid", midi(NOTES + [(2 ** 27, b"\x90\x3c\x50"), (480, b"\x80\x3c\x00")], division=1), "too long"),
    ("marker.mid", midi([(2 ** 27, b"\xff\x06\x02Dm")] + NOTES), ""),
])
def test_bad_midi_is_one_line(capsys, tmp_path, name, data, msg):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert code in (0, 2) and "Traceback" not in err and "internal error" not in err, err
    if msg:
        assert code == 2 and msg in err and len(err.strip().splitlines()) == 1, err


def test_musicxml_absurd_values(capsys, tmp_path):
    note = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>{}</duration></note>"
    xml = ("<?xml version='1.0'?><score-partwise version='3.1'><part-list><score-part id='P1'><part-name>x</part-name>"
           "</score-part></part-list><part id='P1'><measure number='1'><attributes><divisions>1</divisions></attributes>"
           "<direction><sound tempo='0'/><direction-type><metronome><beat-unit>quarter</beat-unit><per-minute>0</per-minute>"
           "</metronome></direction-type></direction>" + note.format(1) * 4 + note.format("1e308") + "</measure></part></score-partwise>")
    path = tmp_path / "huge.musicxml"
    path.write_text(xml)
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert code == 2 and "Traceback" not in err and "internal error" not in err, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: permissions cannot be tested as root")
def test_unreadable_file(capsys, tmp_path):
    path = tmp_path / "locked.mid"
    path.write_bytes(midi(NOTES))
    path.chmod(0)
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert code == 2 and "permission" in err


def test_long_charts_format_in_linear_time():
    import time

    from jazz_lstm.core.charts import chart_bars, parse_chart

    chords = parse_chart(" | ".join(["Dm7 G7 | Cmaj7"] * 5000))  # 10,000 bars, 15,000 chords
    t = time.perf_counter()
    bars = chart_bars(chords)
    assert len(bars) == 10_000 and bars[:2] == ["Dm7 G7", "Cmaj7"] and time.perf_counter() - t < 2.0


def test_music21_pickles_are_neither_read_nor_written(tmp_path, monkeypatch):
    """music21 would cache a parsed file as a pickle and unpickle it on the next read of that path."""
    import pickle

    from jazz_lstm.io.formats import read_tune

    loads = []
    monkeypatch.setattr(pickle, "load", lambda *a, **k: loads.append(a) or pytest.fail("unpickled"))
    import music21

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    music21.environment.UserSettings()  # noqa: B018 (the environment exists)
    monkeypatch.setattr(music21.environment.Environment, "getRootTempDir", lambda self: scratch)
    xml = ("<?xml version='1.0'?><score-partwise version='3.1'><part-list><score-part id='P1'><part-name>x</part-name>"
           "</score-part></part-list><part id='P1'><measure number='1'><attributes><divisions>1</divisions></attributes>"
           + "<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration></note>" * 4
           + "</measure></part></score-partwise>")
    path = tmp_path / "t.musicxml"
    path.write_text(xml)
    for _ in range(2):
        read_tune(str(path))
    assert not loads and not list(scratch.rglob("*.p*"))


def test_a_flipped_bit_in_the_weights_is_found(tmp_path, small_model):
    """The header records a hash of the weights: a single flipped bit makes the file 'damaged'."""
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from jazz_lstm.models import checkpoint

    with safe_open(small_model, "pt") as f:
        meta = f.metadata()
    assert len(meta["weights_sha256"]) == 64
    tensors = load_file(small_model)
    name = sorted(k for k in tensors if k.startswith("model."))[0]
    flat = tensors[name].view(-1)
    flat.view(torch_int32())[0] ^= 1 << 3  # one low mantissa bit: a finite, plausible weight
    out = tmp_path / "flipped.safetensors"
    save_file(tensors, str(out), metadata=meta)
    with pytest.raises(JazzError, match="do not match the checksum"):
        checkpoint.load(str(out))
    assert checkpoint.load(small_model).sha256  # the untouched file loads


@pytest.mark.parametrize("edit", ["corpus", "metadata", "no-checksum", "optimizer-name", "header-sizes"])
def test_a_model_file_verifies_whole_or_is_refused(tmp_path, small_model, edit):
    """Issue #25.7-8: the checksum covers the corpus and the metadata too; a file without one is
    refused; unknown tensor names and a header whose sizes do not fit its tensors are one line."""
    import json

    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from jazz_lstm.models import checkpoint

    with safe_open(small_model, "pt") as f:
        meta = dict(f.metadata())
    tensors = load_file(small_model)
    if edit == "corpus":
        tensors["corpus.ids"][0] += 1
    elif edit == "metadata":
        meta["chart"] = meta["chart"].replace('"tempo": ', '"tempo": 1')
    elif edit == "no-checksum":
        tensors["corpus.ids"][0] += 1
        del meta["file_sha256"], meta["weights_sha256"]
    else:
        if edit == "optimizer-name":
            tensors["optim.0.bogus"] = torch_zeros()
        else:
            cfg = json.loads(meta["config"])
            meta["config"] = json.dumps({**cfg, "hidden": 512, "layers": 3})  # in bounds; not these weights
        meta["file_sha256"] = checkpoint.file_hash(tensors, meta)  # a consistent file, but not a model
    out = tmp_path / "edited.safetensors"
    save_file(tensors, str(out), metadata=meta)
    match = {"no-checksum": "carries no checksum", "optimizer-name": "unknown optimizer tensor",
             "header-sizes": "config does not match the weights"}.get(edit, "do not match the checksum")
    with pytest.raises(JazzError, match=match):
        checkpoint.load(str(out))


def torch_zeros():
    import torch

    return torch.zeros(3)


def torch_int32():
    import torch

    return torch.int32
