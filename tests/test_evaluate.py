import json

import pytest

from conftest import run_cli, write_midi
from jazz_lstm import checkpoint
from jazz_lstm.evaluate import evaluate, segments
from jazz_lstm.midi_io import read_tune
from jazz_lstm.sample import SampleConfig




def test_segments_cover_the_tune(small_midi):
    tune = read_tune(small_midi)
    pieces = segments(tune, 2)
    assert len(pieces) == 2 and sum(len(p.notes) for p in pieces) == len(tune.notes)
    assert pieces[1].notes[0].start == tune.notes[[n.start >= 8 for n in tune.notes].index(True)].start - 8


def test_evaluate_report(small_model, small_midi):
    ck = checkpoint.load(small_model)
    rep = evaluate(ck, [read_tune(small_midi)], n=5, bars=4, cfg=SampleConfig(seed=2), heldout=[read_tune(small_midi)])
    keys = {r["metric"] for r in rep["rows"]}
    assert {"chord_tones", "scale_tones", "H1", "H4", "GS", "notes_per_bar", "empty_beats"} <= keys
    assert len(rep["targets"]) == 5 and len(rep["novelty"]["longest_copy_notes"]) == 5
    assert 0 <= rep["novelty"]["ngram4_overlap"] <= 1 and rep["heldout"]["coverage"] == 1.0
    assert rep["train_fit"]["perplexity"] >= 1.0


def test_evaluate_cli_html_and_json(capsys, tmp_path, small_model, small_midi):
    html = tmp_path / "report.html"
    code, out, err = run_cli(capsys, "evaluate", "-m", small_model, "--tunes", small_midi, "--n", "4", "--bars", "4", "-o", str(html))
    assert code == 0, err
    assert "chord-tone share" in out and "longest verbatim copy" in out
    page = html.read_text()
    assert page.count("data:image/png;base64,") >= 2 and "data:audio/wav;base64," in page and "<table>" in page
    code, out, err = run_cli(capsys, "evaluate", "-m", small_model, "--tunes", small_midi, "--n", "3", "--bars", "4", "--json")
    data = json.loads(out)
    assert code == 0 and data["n"] == 3 and "_solos" not in data


@pytest.mark.parametrize("args,msg", [
    (["--n", "0"], "--n must be >= 1"),
    (["--tunes", "{drums}"], "no melody found"),
    (["-m", "{missing}"], "no such model file"),
])
def test_evaluate_bad_input(capsys, tmp_path, small_model, small_midi, args, msg):
    drums = write_midi(tmp_path / "drums.mid", [("Kit", 0, True, [(36, i, 0.5) for i in range(8)])])
    args = [a.format(drums=drums, missing=tmp_path / "none.safetensors") for a in args]
    if "-m" not in args:
        args = ["-m", small_model] + args
    if "--tunes" not in args:
        args += ["--tunes", small_midi]
    code, out, err = run_cli(capsys, "evaluate", *args)
    assert code == 2 and msg in err and "Traceback" not in err, err
