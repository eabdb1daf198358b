"""`evaluate -m A -m B`: several models on the same tunes, charts and seed, side by side."""
import json

import pytest
from conftest import run_cli
from test_chordmodel import corpus  # noqa: F401  (the fixture: three small leadsheets)

from jazz_lstm.eval.compare import Comparison, labels
from jazz_lstm.models.chord.config import ChordConfig
from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus
from jazz_lstm.models.transformer.config import TransformerConfig
from jazz_lstm.models.transformer.model import ChordTransformer


@pytest.fixture
def two_models(corpus, tmp_path):  # noqa: F811
    cfg = CorpusTrainConfig(epochs=2, Tx=8, stride=4, batch_size=4, val_fraction=0, patience=0)
    a, b = str(tmp_path / "lstm<1>.safetensors"), str(tmp_path / "tf.safetensors")
    train_corpus(corpus, cfg, ChordConfig(hidden=16, layers=1), out=a)
    train_corpus(corpus, cfg, TransformerConfig(hidden=16, layers=1, heads=2, context=8), out=b, net=ChordTransformer)
    return a, b, [t.source for t in corpus.tunes]


def test_a_comparison_is_each_models_own_evaluation(two_models, capsys, tmp_path):
    a, b, files = two_models
    common = ["--tunes", files[0], "--heldout", files[1], "--n", "2", "--bars", "4", "--seed", "3"]
    code, out, err = run_cli(capsys, "evaluate", "-m", a, "-m", b, *common, "--json", "-o", str(tmp_path / "cmp.html"))
    assert code == 0, err
    cmp = json.loads(out)
    assert cmp["models"] == ["lstm<1>.safetensors", "tf.safetensors"]
    assert [r["model"]["kind"] for r in cmp["reports"]] == ["chord", "transformer"]
    for path, report in zip((a, b), cmp["reports"]):
        code, alone, err = run_cli(capsys, "evaluate", "-m", path, *common, "--json")
        assert code == 0, err
        alone = json.loads(alone)
        assert report["events"]["nats_per_event"] == alone["events"]["nats_per_event"]
        assert report["cross_entropy_nats_per_value"] == alone["cross_entropy_nats_per_value"]
        assert report["metrics"] == alone["metrics"]  # the same solos: same seed, same charts
    rows = {r["figure"]: r for r in cmp["rows"]}
    x = [r["events"]["nats_per_event"]["model"] for r in cmp["reports"]]
    assert rows["nats per event (held out)"]["values"] == x
    assert rows["nats per event (held out)"]["best"] == cmp["models"][x.index(min(x))]
    assert all(v > 0 for v in rows["solos per second"]["values"]) and rows["weights"]["values"][0] > 0
    page = (tmp_path / "cmp.html").read_text()
    assert "lstm&lt;1&gt;.safetensors" in page and "lstm<1>" not in page  # names are escaped
    back = Comparison.from_json(cmp)
    assert back.names == cmp["models"] and back.rows()[0]["values"] == x


def test_the_table_prints_a_column_per_model(two_models, capsys):
    a, b, files = two_models
    code, out, err = run_cli(capsys, "evaluate", "-m", a, "-m", b, "--tunes", files[0], "--n", "2", "--bars", "4")
    assert code == 0, err
    assert "tf.safetensors" in out and "nats per event" in out and "model 2 of 2" in err


def test_the_better_model_per_figure():
    c = Comparison(names=["a", "b", "c"], reports=[])
    assert c._best([3.0, 2.0, 2.5], "low") == "b"
    assert c._best([0.2, 0.9, 0.4], "high") == "b"
    assert c._best([0.7, 0.45, 0.6], "half") == "b"  # nearest indistinguishable
    assert c._best([2.0, 2.0, 3.0], "low") is None  # a tie names no one
    assert c._best([None, 2.0, None], "low") is None  # one figure is no comparison
    assert labels(["x/m.safetensors", "y/m.safetensors", "z/k.safetensors"]) == ["x/m.safetensors", "y/m.safetensors",
                                                                                 "k.safetensors"]
    assert labels(["m.safetensors", "m.safetensors"]) == ["m.safetensors (1)", "m.safetensors (2)"]


def test_a_bad_model_among_several_fails_before_any_work(two_models, capsys, tmp_path):
    a, _, files = two_models
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model")
    code, _, err = run_cli(capsys, "evaluate", "-m", a, "-m", str(bad), "--tunes", files[0], "--n", "2")
    assert code == 2 and "bad.safetensors" in err and "generating" not in err
