import os

import numpy as np
import pytest
import torch
from conftest import LICK, comping, write_midi

from jazz_lstm.core.charts import BLUES_12, parse_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import to_steps
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.midi import midi_bytes
from jazz_lstm.models import checkpoint
from jazz_lstm.models.recipe.sample import sample_ids
from jazz_lstm.models.recipe.train import IGNORE, TrainConfig, make_windows, train
from jazz_lstm.models.sample import SampleConfig
from jazz_lstm.solo.generate import improvise


def test_windows_follow_the_course():
    x, y = make_windows([list(range(100))], TrainConfig(), start_id=999)
    assert x.shape == y.shape == (60, 30)
    assert (x[:, 0] == 999).all() and (y[:, -1] == IGNORE).all()  # zero first input, no last target
    assert (y[:, :-1] == x[:, 1:]).all()
    np.random.seed(0)
    first = np.random.choice(70)
    assert x[0, 1] == first + 1


def test_checkpoint_round_trip(small_model):
    ck = checkpoint.load(small_model)
    assert ck.train.epochs_done == 30 and len(ck.vocab) == ck.model.cfg.vocab_size
    assert ck.chart.chords[0].symbol == "Dm7" and ck.corpus and len(ck.sha256) == 64
    assert ck.train.losses[-1] < ck.train.losses[0] / 2


def test_resume_and_interrupt(tmp_path, monkeypatch):
    import jazz_lstm.models.recipe.train as tr

    tune = read_tune(write_midi(tmp_path / "t.mid", [("Piano", 0, False, comping(repeats=3)),
                                                     ("Sax", 65, False, [(p, s + 16 * i, d) for i in range(3) for p, s, d in LICK])]))
    out = str(tmp_path / "m.safetensors")
    real, calls = tr.train_epoch, []

    def flaky(*a, **k):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(tr, "train_epoch", flaky)
    with pytest.raises(KeyboardInterrupt):
        train([tune], TrainConfig(epochs=10), out=out, progress=False)
    ck = checkpoint.load(out)
    assert ck.train.epochs_done == 3 and ck.optim  # a resumable checkpoint
    monkeypatch.setattr(tr, "train_epoch", real)
    ck = train([tune], TrainConfig(epochs=10), out=out, resume=ck, progress=False)
    assert ck.train.epochs_done == 10 and len(ck.train.losses) == 10


def test_bad_model_files(tmp_path, small_model):
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 40)
    with pytest.raises(JazzError, match="not a model file"):
        checkpoint.load(str(tmp_path / "junk.safetensors"))
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, str(tmp_path / "other.safetensors"), metadata={"format": "something"})
    with pytest.raises(JazzError, match="not a jazz-lstm model"):
        checkpoint.load(str(tmp_path / "other.safetensors"))
    with pytest.raises(JazzError, match="no such model"):
        checkpoint.load(str(tmp_path / "missing.safetensors"))
    from safetensors import safe_open

    with safe_open(small_model, "pt") as f:
        meta, tensors = dict(f.metadata()), {k: f.get_tensor(k) for k in f.keys()}
    meta["grammar"] = "gtk-0"
    save_file(tensors, str(tmp_path / "old.safetensors"), metadata=meta)
    with pytest.raises(JazzError, match="grammar gtk-0"):
        checkpoint.load(str(tmp_path / "old.safetensors"))


def test_same_seed_same_bytes_and_seeds_differ(small_model):
    ck = checkpoint.load(small_model)
    chart = parse_chart(BLUES_12)
    a = midi_bytes(improvise(ck, chart, 12, 1, SampleConfig(seed=5))[0])
    b = midi_bytes(improvise(checkpoint.load(small_model), chart, 12, 1, SampleConfig(seed=5))[0])
    assert a == b
    solos = {midi_bytes(improvise(ck, chart, 12, 1, SampleConfig(seed=s))[0]) for s in range(10)}
    assert len(solos) == 10


def test_every_bar_exactly_full_over_other_changes(small_model):
    ck = checkpoint.load(small_model)
    chart = parse_chart("Bbmaj7 | Gm7 C7 | F#m7b5 B7b9 | Em7 | A7 | Dm7 G7 |", beats_per_bar=4.0)
    for solo in improvise(ck, chart, 16, 8, SampleConfig(seed=2, temperature=1.5)):
        bars = {}
        from jazz_lstm.grammar.codec import parse_token

        pos = 0
        for t in solo.tokens:
            bars.setdefault(pos // 48, 0)
            bars[pos // 48] += parse_token(t).steps
            pos += parse_token(t).steps
        assert sorted(bars) == list(range(16)) and set(bars.values()) == {48}
        for n1, n2 in zip(solo.notes, solo.notes[1:]):
            assert n1.end <= n2.start + 1e-9
            assert int(n1.start // 4) == int((n1.end - 1e-9) // 4)  # never crosses a bar line
        assert solo.chords[-1].end == 64 and (solo.chords[9].symbol, solo.chords[9].start) == ("Bbmaj7", 24)  # repeats


def test_three_four_time(small_model):
    ck = checkpoint.load(small_model)
    solo = improvise(ck, parse_chart("C | Am | Dm7 | G7 |", 3.0), 8, 1, SampleConfig(seed=1), beats_per_bar=3.0)[0]
    assert sum(to_steps(0) + __import__("jazz_lstm.grammar.codec", fromlist=["x"]).parse_token(t).steps for t in solo.tokens) == 8 * 36


def test_course_greedy_equals_package_greedy(small_model):
    from jazz_lstm.course import DJModel, music_inference_model, predict_and_sample

    ck = checkpoint.load(small_model)
    dj = DJModel(30, 64, len(ck.vocab))
    dj.net = ck.model
    results, indices = predict_and_sample(music_inference_model(dj, Ty=50))
    assert results.shape == (50, len(ck.vocab)) and indices.shape == (50, 1)
    ours = sample_ids(ck.model, 1, 50, SampleConfig(greedy=True))[0].numpy()
    assert (indices[:, 0] == ours).all() and (results.argmax(1) == ours).all()


def test_top_k_one_and_tiny_top_p_are_greedy(small_model):
    m = checkpoint.load(small_model).model
    g = sample_ids(m, 4, 30, SampleConfig(greedy=True))
    assert (sample_ids(m, 4, 30, SampleConfig(top_k=1, seed=3)) == g).all()
    assert (sample_ids(m, 4, 30, SampleConfig(top_p=1e-6, seed=4)) == g).all()
    assert not (sample_ids(m, 4, 30, SampleConfig(temperature=2.0, seed=4)) == g).all()


def test_bad_sampling_options():
    for kw in ({"temperature": 0}, {"temperature": -1}, {"top_p": 0}, {"top_k": -2}):
        with pytest.raises(JazzError):
            SampleConfig(**kw)


def test_packaged_default_model_generates():
    ck = checkpoint.load(checkpoint.default_model_path())
    solo = improvise(ck, None, 4, 1, SampleConfig(seed=0))[0]
    assert solo.notes and solo.n_bars == 4 and os.path.getsize(checkpoint.default_model_path()) < 10_000_000
    # issue #20: the MIT package ships weights trained on the Weimar Jazz Database (ODbL), never on GPL data
    assert ck.kind == "chord" and "Weimar Jazz Database" in ck.train.data_source
    assert ck.train.data_license.startswith("ODbL") and "GPL" not in ck.train.data_license
    assert ck.train.corpus["n_tunes"] >= 300  # learnt from the field's corpus
    from jazz_lstm.io.wjazzd import is_heldout, performer_and_title

    names = ["".join(ch for ch in performer_and_title(t["title"] + ".csv")[1].lower() if ch.isalnum()) for t in ck.train.corpus["tunes"]]
    assert names and not any(is_heldout(n) for n in names)  # the held-out split was never trained on


def test_novelty_guard_caps_verbatim_copies(small_model):
    from jazz_lstm.eval.metrics import longest_copy_tokens

    ck = checkpoint.load(small_model)
    corpus = [ck.vocab.decode(s) for s in ck.corpus]
    chart = parse_chart("Dm7 G7 | Cmaj7 | A7 |")
    free = improvise(ck, chart, 16, 4, SampleConfig(seed=1, temperature=0.5, max_copy=0))
    guarded = improvise(ck, chart, 16, 4, SampleConfig(seed=1, temperature=0.5, max_copy=4))
    assert max(longest_copy_tokens(s.tokens, corpus) for s in free) > 5  # the small model loves to copy
    assert max(longest_copy_tokens(s.tokens, corpus) for s in guarded) <= 4


def test_beam_search(small_model):
    from jazz_lstm.models.recipe.beam import beam_bars

    ck = checkpoint.load(small_model)
    # width 1 is greedy with masking, bar by bar
    one = beam_bars(ck.model, ck.vocab, 6, 48, width=1)
    greedy = improvise(ck, parse_chart("Dm7 G7 | Cmaj7 |"), 6, 1, SampleConfig(greedy=True, fit="mask", max_copy=0))[0]
    assert [v for b in one for v in b] == greedy.tokens
    wide = improvise(ck, parse_chart("Dm7 G7 | Cmaj7 | A7 |"), 8, 1, SampleConfig(beam=4))[0]
    from jazz_lstm.grammar.codec import parse_token

    assert sum(parse_token(t).steps for t in wide.tokens) == 8 * 48 and wide.notes
    assert improvise(ck, parse_chart("C |"), 4, 1, SampleConfig(beam=4))[0].tokens == \
        improvise(ck, parse_chart("C |"), 4, 1, SampleConfig(beam=4, seed=9))[0].tokens  # no randomness in the values
    with pytest.raises(JazzError, match="one solo"):
        improvise(ck, parse_chart("C |"), 4, 2, SampleConfig(beam=4))
