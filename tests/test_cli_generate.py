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
    (["generate", "--bars", "0"], "--bars must be >= 1"),
    (["generate", "-n", "0"], "--num-outputs"),
    (["generate", "--chords", "Dm7 | Xyz |"], "unknown chord symbol"),
    (["generate", "-m", "{junk}"], "not a model file"),
    (["generate", "-m", "{missing}"], "no such model file"),
    (["generate", "-o", "/dev/null/out"], "cannot write"),
    (["train", "{junk}"], "unknown file type"),
    (["train", "default", "--epochs", "0"], "epochs must be >= 1"),
])
def test_bad_options_one_line_exit_2(capsys, tmp_path, args, msg):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"nope")
    args = [a.format(junk=junk, missing=tmp_path / "none.safetensors") for a in args]
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and msg in err and "Traceback" not in err, err
