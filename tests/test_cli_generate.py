import os

import pytest
from conftest import run_cli


def test_train_then_generate(capsys, tmp_path, small_midi):
    model = str(tmp_path / "m.safetensors")
    code, out, err = run_cli(capsys, "train", small_midi, small_midi, "-o", model, "--epochs", "5", "--windows", "0", "-q", "--tx", "8")
    assert code == 0 and "wrote" in out and os.path.exists(model)
    code, out, err = run_cli(capsys, "generate", "-m", model, "-o", str(tmp_path / "o"), "-n", "3", "--bars", "4",
                         "--chords", "Dm7 G7 | Cmaj7 |", "--seed", "9", "--formats", "none")
    assert code == 0, err
    assert sorted(os.listdir(tmp_path / "o")) == ["solo-1.json", "solo-1.mid", "solo-2.json", "solo-2.mid", "solo-3.json", "solo-3.mid"]
    code, out, err = run_cli(capsys, "generate", "-m", model, "-o", str(tmp_path / "p"), "--chords", small_midi, "--formats", "png")
    assert code == 0 and os.path.exists(tmp_path / "p" / "solo.mid")


def test_demo(capsys, tmp_path):
    import json

    code, out, err = run_cli(capsys, "demo", "-o", str(tmp_path / "d"), "--choruses", "1")
    assert code == 0 and "solo.mid" in out and "(12 bars" in out, err
    assert {"solo.mid", "solo.wav", "solo.png", "solo.svg", "solo.json"} <= set(os.listdir(tmp_path / "d"))
    manifest = json.loads((tmp_path / "d" / "solo.json").read_text())
    assert manifest["model"]["path"] == "default"


@pytest.mark.parametrize("args,msg", [
    (["generate", "--temperature", "0"], "temperature must be > 0"),
    (["generate", "--temperature", "-1"], "temperature must be > 0"),
    (["generate", "--bars", "0"], "--bars: a solo's length must be in 1..10000 bars"),
        (["generate", "--seed", str(2**64)], "--seed: the seed must be a whole number"),
    (["generate", "-n", "0"], "--num-outputs"),
    (["generate", "--chords", "Dm7 | Xyz |"], "unknown chord symbol"),
    (["generate", "-m", "{junk}"], "not a model file"),
    (["generate", "-m", "{missing}"], "no such model file"),
    (["generate", "-o", "/dev/null/out"], "cannot write"),
    (["train", "{junk}"], "unknown file type"),
    (["train", "default", "--epochs", "0"], "epochs must be in 1..1000000"),
    (["generate", "--bars", "x"], "'--bars': 'x' is not a valid integer"),
    (["generate", "-n", "2.5"], "'2.5' is not a valid integer"),
    (["generate", "--tempo", "fast"], "'--tempo': 'fast' is not a valid number"),
])
def test_bad_options_one_line_exit_2(capsys, tmp_path, args, msg):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"nope")
    args = [a.format(junk=junk, missing=tmp_path / "none.safetensors") for a in args]
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and msg in err and "Traceback" not in err, err


def test_default_model_hears_the_chart_and_replays(capsys, tmp_path):
    """The shipped chord model: the same seed over two charts gives other values; a manifest replays byte for byte."""
    import json

    tokens = []
    for name, chart in (("a", "Dm7 G7 | Cmaj7 | Dm7 G7 | Cmaj7 |"), ("b", "F#m7b5 B7b9 | Em6 | C7#11 | B7#5#9 |")):
        code, out, err = run_cli(capsys, "generate", "--chords", chart, "--seed", "3", "-o", str(tmp_path / name),
                                 "--formats", "none")
        assert code == 0, err
        tokens.append(json.loads((tmp_path / name / "solo.json").read_text())["tokens"])
    assert tokens[0] != tokens[1]
    code, out, err = run_cli(capsys, "generate", "--from-manifest", str(tmp_path / "b" / "solo.json"), "-o",
                             str(tmp_path / "again"), "--formats", "none")
    assert code == 0, err
    assert (tmp_path / "again" / "solo.mid").read_bytes() == (tmp_path / "b" / "solo.mid").read_bytes()


def test_the_score_title_names_the_tune(tmp_path, capsys):
    """A chart file or a leadsheet names the tune in the score's title; typed changes do not."""
    from conftest import run_cli

    from jazz_lstm.app.cli.solo_cmd import tune_title

    assert tune_title("examples/blues_in_f.txt") == "blues_in_f" and tune_title("Countdown") == "Countdown"
    assert tune_title("chart") == "" and tune_title("") == ""
    chart = tmp_path / "my_tune.txt"
    chart.write_text("Dm7 G7 | Cmaj7 |")
    code, _, err = run_cli(capsys, "generate", "-c", str(chart), "--bars", "2", "--formats", "musicxml", "-o", str(tmp_path / "o"))
    assert code == 0, err
    assert "<movement-title>my_tune (default model) — seed 0" in (tmp_path / "o" / "solo.musicxml").read_text()


def test_command_line_values_coerce_without_pydantic(tmp_path):
    """typer 0.29 would build a pydantic TypeAdapter a parameter (start-up, #23): app/cli/coerce.py
    coerces the plain types itself -- the values are the same types, and pydantic is never imported."""
    import subprocess
    import sys

    code = ("import sys; from jazz_lstm.app.cli import main\n"
            "try:\n main(['generate', '--bars', '2', '-n', '1', '--tempo', ' 150.5', '--charts', 'a', '--charts', 'b',"
            " '--formats', 'none', '-o', sys.argv[1], '--chords', 'nonsense-title'])\n"
            "except SystemExit as e: print('exit', e.code)\n"
            "print('pydantic' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert r.stdout.split()[-3:] == ["exit", "2", "False"], r.stdout + r.stderr
    assert "a: no such chart folder" in r.stderr, r.stderr  # the list option reached the library as its items


def test_plain_coercion_values():
    from jazz_lstm.app.cli.coerce import to_plain

    assert to_plain(int, " 12") == 12 and to_plain(float, "1e-3") == 0.001 and to_plain(str, b"F7") == "F7"
    assert to_plain(bool, True) is True and to_plain(int, 3) == 3
    for kind, bad in ((int, "1.5"), (int, True), (float, "x"), (bool, "yes")):
        with pytest.raises(ValueError, match="is not a valid"):
            to_plain(kind, bad)
