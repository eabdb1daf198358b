import json

import pytest
from conftest import run_cli, write_midi


def test_inspect_default(capsys):
    code, out, err = run_cli(capsys, "inspect", "--roundtrip")
    assert code in (0, None)
    assert "Chord chart" in out and "Round trip onset 100%, duration 100%, type 100%" in out


def test_inspect_json_and_chart_file(capsys, small_midi, tmp_path):
    chart = tmp_path / "changes.txt"
    code, out, _ = run_cli(capsys, "inspect", small_midi, "--json", "--write-chart", str(chart))
    data = json.loads(out)
    assert code in (0, None) and data["melody_track"] == "1: Sax"
    assert data["chart"] == ["Dm7", "G7", "Cmaj7", "A7"]
    chart.write_text(chart.read_text().replace("A7", "A7b9"))
    code, out, _ = run_cli(capsys, "inspect", small_midi, "--json", "--chords", str(chart))
    assert json.loads(out)["chart"][-1] == "A7b9" and json.loads(out)["chord_origin"] == "chart"


@pytest.mark.parametrize("args,msg", [
    (["inspect", "{bad}"], "not a readable MIDI"),
    (["inspect", "{small}", "--melody-track", "12"], "out of range"),
    (["inspect", "{small}", "--chords", "Dm7 | Qm7 |"], "unknown chord symbol 'Qm7'"),
    (["inspect", "{drums}"], "drums only"),
])
def test_inspect_bad_input_one_line_exit_2(capsys, tmp_path, small_midi, args, msg):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"\x00\x01garbage" * 10)
    drums = write_midi(tmp_path / "drums.mid", [("Kit", 0, True, [(36, i, 0.5) for i in range(8)])])
    args = [a.format(bad=bad, small=small_midi, drums=drums) for a in args]
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and msg in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args,msg", [
    (["generate", "--bars", "abc"], "Invalid value for '--bars'"),
    (["train"], "Missing argument"),
    (["bogus"], "No such command"),
    (["generate", "--nope"], "No such option"),
])
def test_usage_errors_are_one_line_exit_2(capsys, args, msg):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and msg in err and len(err.strip().splitlines()) == 1 and "╭" not in err, err


def test_no_arguments_prints_the_help(capsys):
    code, out, err = run_cli(capsys)
    assert code == 0 and "Usage: jazz-lstm" in out + err


def test_inspect_a_model_file(capsys, tmp_path):
    """A model file says its kind, network and training, as text and as JSON."""
    import json

    from conftest import run_cli

    from jazz_lstm.models.checkpoint import default_model_path, load

    code, out, err = run_cli(capsys, "inspect", default_model_path())
    assert code == 0, err
    ck = load(default_model_path())
    assert f"a chord model, {ck.weights:,} weights" in out and "Weimar Jazz Database" in out
    code, out, err = run_cli(capsys, "inspect", default_model_path(), "--json")
    rep = json.loads(out)
    assert rep["kind"] == "chord" and rep["config"]["hidden"] == ck.model.cfg.hidden and rep["epochs"] == ck.train.epochs_done
    assert rep["best_val_loss"] == min(ck.train.val_losses)
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"junk")
    code, _, err = run_cli(capsys, "inspect", str(bad))
    assert code == 2 and "x.safetensors" in err
