"""The Transformer beside the LSTM: the same inputs, heads, masks, trainer, sampler and model file;
its key/value cache gives what recomputing the whole prefix gives."""
import pytest
import torch
from conftest import run_cli
from test_chordmodel import corpus  # noqa: F401  (the fixture: three small leadsheets)

from jazz_lstm.core.charts import parse_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.grammar.features import COND_DIM, N_DUR, N_INT, N_TYPE
from jazz_lstm.models.chord.sample import sample_chart
from jazz_lstm.models.chord.train import windows
from jazz_lstm.models.sample import SampleConfig
from jazz_lstm.models.transformer.config import TransformerConfig
from jazz_lstm.models.transformer.model import ChordTransformer


def tiny(context=8, layers=2, dropout=0.0):
    torch.manual_seed(0)
    return ChordTransformer(TransformerConfig(hidden=16, layers=layers, heads=2, context=context, dropout=dropout,
                                              type_emb=4, dur_emb=4, int_emb=4)).eval()


def test_shapes_loss_and_masks(corpus):  # noqa: F811
    ids, cond, legal, tgt = (torch.from_numpy(a) for a in windows(corpus.tunes, 8, 4))
    model = tiny()
    (tl, dl, il), loss = model(ids, cond, tgt, legal)
    B, T = ids.shape[:2]
    assert tl.shape == (B, T, N_TYPE) and dl.shape == (B, T, N_DUR) and il.shape == (B, T, N_INT)
    assert loss.ndim == 0 and torch.isfinite(loss)
    nll = model.nll_per_value(ids, cond, tgt, legal)
    assert torch.allclose(nll.sum() / (tgt[..., 0] >= 0).sum(), loss, atol=1e-5)
    steps = torch.arange(1, N_DUR + 1)
    assert (dl.softmax(-1)[steps.expand_as(dl) > legal[..., :1]] < 1e-12).all()  # no value crosses its bar line


def test_a_position_sees_only_its_context():
    """Changing a value more than `context` positions back changes nothing after one layer's reach;
    the first layer's band is exact (one block: a change 8 back is not seen, 7 back is)."""
    model = tiny(context=8, layers=1)
    g = torch.Generator().manual_seed(1)
    ids = torch.stack([torch.randint(0, N_TYPE, (1, 20), generator=g), torch.randint(0, N_DUR, (1, 20), generator=g),
                       torch.randint(0, N_INT, (1, 20), generator=g)], -1)
    cond = torch.rand(1, 20, COND_DIM, generator=g).round()
    base, _ = model.hidden(ids, cond)
    far, near = ids.clone(), ids.clone()
    far[0, 11, 1] = (far[0, 11, 1] + 1) % N_DUR  # 8 back from position 19
    near[0, 12, 1] = (near[0, 12, 1] + 1) % N_DUR  # 7 back
    assert torch.allclose(model.hidden(far, cond)[0][0, 19], base[0, 19], atol=1e-6)
    assert not torch.allclose(model.hidden(near, cond)[0][0, 19], base[0, 19], atol=1e-6)


def test_the_cache_steps_as_the_whole_sequence_runs():
    """Step by step through the ring of `context` slots (well past its length) = all at once, and
    the cache never grows past the context."""
    model = tiny(context=8, layers=3)
    g = torch.Generator().manual_seed(2)
    B, T = 3, 30
    ids = torch.stack([torch.randint(0, N_TYPE, (B, T), generator=g), torch.randint(0, N_DUR, (B, T), generator=g),
                       torch.randint(0, N_INT, (B, T), generator=g)], -1)
    cond = torch.rand(B, T, COND_DIM, generator=g).round()
    whole, _ = model.hidden(ids, cond)
    state, steps = None, []
    for t in range(T):
        h, state = model.hidden(ids[:, t:t + 1], cond[:, t:t + 1], state)
        steps.append(h)
    assert torch.allclose(torch.cat(steps, 1), whole, atol=1e-5)
    assert state["pos"] == T and all(k.shape == (B, 2, 8, 8) for k in state["keys"])


def test_sampling_with_the_cache_gives_the_tokens_sampling_without_it_gives():
    chart = parse_chart("Dm7 G7 | Cmaj7 | Fm7 Bb7 | Ebmaj7 |")
    model = tiny(context=8)
    cached = sample_chart(model, chart, 8, 4.0, n=3, cfg=SampleConfig(seed=4, max_copy=0))
    model.cache = False
    plain = sample_chart(model, chart, 8, 4.0, n=3, cfg=SampleConfig(seed=4, max_copy=0))
    assert [t for t, _ in cached] == [t for t, _ in plain]
    assert [[(n.pitch, n.start) for n in notes] for _, notes in cached] == [[(n.pitch, n.start) for n in notes]
                                                                           for _, notes in plain]
    assert all(len(t) > 8 for t, _ in cached)  # long enough to wrap the ring


@pytest.mark.parametrize("arch", ["lstm", "transformer"])
def test_each_architecture_trains_saves_resumes_generates_and_scores(arch, corpus, tmp_path, capsys):  # noqa: F811
    """One epoch on tiny data through the command line, then one more by --resume, a solo, and the
    held-out score: the same code paths for both networks."""
    from jazz_lstm.models import checkpoint
    from jazz_lstm.solo.generate import improvise

    out = str(tmp_path / f"{arch}.safetensors")
    files = [t.source for t in corpus.tunes]
    args = ["train", *files, "-o", out, "--arch", arch, "--tx", "8", "--stride", "4", "--hidden", "16", "--layers", "1",
            "--val", "0", "-q"] + (["--context", "8", "--heads", "2"] if arch == "transformer" else [])
    code, stdout, err = run_cli(capsys, *args, "--epochs", "1")
    assert code == 0, err
    assert f"{ {'lstm': 'chord'}.get(arch, arch)} model" in stdout
    code, _, err = run_cli(capsys, *args, "--epochs", "2", "--resume")
    assert code == 0, err
    ck = checkpoint.load(out)
    assert ck.kind == {"lstm": "chord"}.get(arch, arch) and ck.train.epochs_done == 2 and ck.train.kind == ck.kind
    assert ck.optim  # resumable
    solos = improvise(ck, parse_chart("Dm7 G7 | Cmaj7 |"), 4, 2, SampleConfig(seed=1))
    assert len(solos) == 2 and all(s.notes for s in solos)
    from jazz_lstm.data.corpus import EncodedTune
    from jazz_lstm.io.formats import read_tune
    nats, covered = ck.spec.nll(ck, [EncodedTune.from_solo(read_tune(files[0]))])
    assert 0 < nats < 20 and covered > 0
    code, stdout, err = run_cli(capsys, "generate", "-m", out, "--chords", "Dm7 G7 | Cmaj7 |", "--bars", "4",
                                "-o", str(tmp_path / arch), "--formats", "mid")
    assert code == 0, err


@pytest.mark.parametrize("extra, says", [
    (["--arch", "lstm", "--heads", "2"], "--heads is an option of the Transformer"),
    (["--arch", "transformer", "--kind", "recipe"], "--arch transformer is a network of the chord model"),
    (["--arch", "transformer", "--tx", "16", "--context", "32"], "must be at least the context (32)"),
    (["--arch", "gru"], "the architecture must be one of lstm, transformer"),
    (["--arch", "transformer", "--hidden", "30", "--heads", "4"], "must split into 4 heads of an even size"),
])
def test_bad_architecture_options_are_refused_before_reading(extra, says, tmp_path, capsys):
    code, _, err = run_cli(capsys, "train", str(tmp_path / "missing.ls"), "-o", str(tmp_path / "m.safetensors"), *extra)
    assert code == 2 and says in " ".join(err.split()), err


def test_config_bounds():
    with pytest.raises(JazzError, match="context"):
        TransformerConfig(context=0)
    with pytest.raises(JazzError, match="million weights"):
        TransformerConfig(hidden=4096, layers=48, heads=64)
