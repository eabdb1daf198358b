"""The chord-aware model: shapes, gradients, the grammar's masks, chart dependence, DDP."""
import os
import subprocess
import sys

import pytest
import torch
from test_corpus import TUNE

from jazz_lstm.core.charts import parse_chart
from jazz_lstm.data.corpus import prepare
from jazz_lstm.grammar.codec import parse_token
from jazz_lstm.grammar.features import COND_DIM, N_DUR, N_INT, N_TYPE
from jazz_lstm.models.chord.model import ChordConfig, ChordLSTM
from jazz_lstm.models.chord.sample import sample_chart
from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus, windows
from jazz_lstm.models.sample import SampleConfig


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("JAZZ_LSTM_CACHE", str(tmp_path / "cache"))
    for i, (a, b) in enumerate([("d8 f8", "d8 f8"), ("d8 f8", "e8 g8"), ("d8 f8", "f8 a8")]):
        (tmp_path / f"t{i}.ls").write_text(TUNE.replace(a, b) * 1)
    return prepare([str(tmp_path / f"t{i}.ls") for i in range(3)])


def tiny():
    return ChordLSTM(ChordConfig(hidden=16, layers=1, dropout=0.0, type_emb=4, dur_emb=4, int_emb=4))


def test_shapes_and_loss(corpus):
    ids, cond, legal, tgt = (torch.from_numpy(a) for a in windows(corpus.tunes, 8, 4))
    model = tiny()
    (tl, dl, il), loss = model(ids, cond, tgt, legal)
    B, T = ids.shape[:2]
    assert ids.shape == (B, T, 3) and cond.shape == (B, T, COND_DIM)
    assert tl.shape == (B, T, N_TYPE) and dl.shape == (B, T, N_DUR) and il.shape == (B, T, N_INT)
    assert loss.ndim == 0 and torch.isfinite(loss)
    nll = model.nll_per_value(ids, cond, tgt, legal)
    assert torch.allclose(nll.sum() / (tgt[..., 0] >= 0).sum(), loss, atol=1e-5)


def test_masks_make_illegal_values_impossible(corpus):
    ids, cond, legal, tgt = (torch.from_numpy(a) for a in windows(corpus.tunes, 8, 4))
    model = tiny()
    (tl, dl, il), _ = model(ids, cond, tgt, legal)
    rem = legal[..., 0]
    steps = torch.arange(1, N_DUR + 1)
    assert (dl.softmax(-1)[steps.expand_as(dl) > rem[..., None]] < 1e-12).all()
    assert (tl.softmax(-1)[..., 5][legal[..., 2] == 0] < 1e-12).all()  # no tie off the bar line


@pytest.mark.slow
def test_gradients_match_finite_differences(corpus):
    ids, cond, legal, tgt = (torch.from_numpy(a) for a in windows(corpus.tunes[:1], 6, 6))
    model = tiny().double()
    cond = cond.double().requires_grad_()
    assert torch.autograd.gradcheck(lambda c: model(ids[:2], c, tgt[:2], legal[:2])[1], (cond[:2],), eps=1e-6, atol=1e-5,
                                    fast_mode=True)  # a random projection of the Jacobian: two passes, not one an input


def test_generation_follows_the_chart_and_fills_bars(corpus):
    model = tiny()
    torch.manual_seed(0)
    a = [t for t, _ in sample_chart(model, parse_chart("C7 | F7 | C7 | G7 |"), 4, 4.0, n=3, cfg=SampleConfig(seed=5))]
    b = [t for t, _ in sample_chart(model, parse_chart("Dm7b5 G7b9 | Cm6 | Ebmaj7#11 | Ab7#9 |"), 4, 4.0, n=3, cfg=SampleConfig(seed=5))]
    assert a != b  # same seed, other changes: other lines
    for solo in a + b:
        pos = 0
        for v in solo:
            t = parse_token(v)
            assert pos // 48 == (pos + t.steps - 1) // 48, "a value crossed a bar line"
            pos += t.steps
        assert pos == 4 * 48
    again = [t for t, _ in sample_chart(model, parse_chart("C7 | F7 | C7 | G7 |"), 4, 4.0, n=3, cfg=SampleConfig(seed=5))]
    assert again == a


def test_train_save_load_generate(corpus, tmp_path):
    from jazz_lstm.models import checkpoint
    from jazz_lstm.solo.generate import improvise

    out = str(tmp_path / "m.safetensors")
    ck = train_corpus(corpus, CorpusTrainConfig(epochs=3, Tx=8, stride=4, batch_size=4, val_fraction=0.34, patience=0),
                      ChordConfig(hidden=16, layers=1), out=out, progress=False)
    assert len(ck.train.losses) == 3 and len(ck.train.val_losses) == 3
    assert ck.train.corpus["n_tunes"] == 2 and len(ck.train.val_tunes) == 1
    back = checkpoint.load(out)
    assert back.kind == "chord" and back.vocab is None and len(back.corpus) == 2
    solos = improvise(back, parse_chart("Dm7 G7 | Cmaj7 |"), 4, 2, SampleConfig(seed=1))
    assert len(solos) == 2 and all(s.tokens for s in solos)


def test_nan_weights_are_refused(corpus, tmp_path):
    from safetensors.torch import load_file, save_file

    from jazz_lstm.core.errors import JazzError
    from jazz_lstm.models import checkpoint

    out = str(tmp_path / "m.safetensors")
    train_corpus(corpus, CorpusTrainConfig(epochs=1, Tx=8, stride=4, val_fraction=0), ChordConfig(hidden=8, layers=1),
                 out=out, progress=False)
    from safetensors import safe_open

    with safe_open(out, "pt") as f:
        meta = f.metadata()
    tensors = load_file(out)
    tensors["model.type_head.bias"][0] = float("nan")
    save_file(tensors, out, metadata=meta)
    with pytest.raises(JazzError, match="do not match the checksum"):  # the recorded checksum finds it first
        checkpoint.load(out)
    meta["file_sha256"] = checkpoint.file_hash(tensors, {k: v for k, v in meta.items() if k != "weights_sha256"})
    meta = {k: v for k, v in meta.items() if k != "weights_sha256"}  # a consistent checksum: the values are checked
    save_file(tensors, out, metadata=meta)
    with pytest.raises(JazzError, match="not finite"):
        checkpoint.load(out)


def _run_train(tmp_path, out, nproc, extra=()):
    env = {**os.environ, "JAZZ_LSTM_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1", "JAZZ_LSTM_DEVICE": "cpu"}
    args = ["train", str(tmp_path / "t0.ls"), str(tmp_path / "t1.ls"), str(tmp_path / "t2.ls"), "-o", out, "--kind", "chord",
            "--epochs", "2", "--batch-size", "4", "--tx", "8", "--stride", "4", "--hidden", "16", "--layers", "1",
            "--dropout", "0", "--val", "0", "--threads", "1", "--device", "cpu", "-q", *extra]
    cmd = ([sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", "-m", "jazz_lstm"]
           if nproc > 1 else [sys.executable, "-m", "jazz_lstm"])
    r = subprocess.run(cmd + args, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return r


@pytest.mark.slow
@pytest.mark.parametrize("arch", [(), ("--arch", "transformer", "--context", "8", "--heads", "2")], ids=["lstm", "transformer"])
def test_ddp_two_processes_equal_one(arch, corpus, tmp_path):
    """torchrun with 2 gloo processes, each half of every global batch: the same weights as one process."""
    from jazz_lstm.models import checkpoint

    one, two = str(tmp_path / "one.safetensors"), str(tmp_path / "two.safetensors")
    _run_train(tmp_path, one, 1, arch)
    r = _run_train(tmp_path, two, 2, arch)
    a, b = checkpoint.load(one), checkpoint.load(two)
    assert b.train.world_size == 2 and a.train.world_size == 1
    assert a.train.losses == pytest.approx(b.train.losses, abs=1e-4)
    for (k, x), (_, y) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
        assert torch.allclose(x, y, atol=1e-5), k
    assert r.stdout.count("wrote") == 1  # rank 0 alone reports (and writes)


def test_novelty_guard_caps_copied_notes(corpus, tmp_path):
    """A chord model that has memorised its tunes copies long passages unguarded; with the guard
    no passage of more than K notes (as longest_copy_notes counts them, over rests) is copied."""
    from jazz_lstm.eval.metrics import longest_copy_notes
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.solo.generate import improvise

    torch.manual_seed(0)
    ck = train_corpus(corpus, CorpusTrainConfig(epochs=60, Tx=16, stride=4, batch_size=4, val_fraction=0, lr=0.01),
                      ChordConfig(hidden=64, layers=1, dropout=0.0), progress=False)
    training = [read_tune(t.source).notes for t in corpus.tunes]
    chart = read_tune(corpus.tunes[0].source).chords
    free = [longest_copy_notes(s.notes, training) for s in improvise(ck, chart, 4, 4, SampleConfig(seed=1, temperature=0.5, max_copy=0))]
    guarded = [longest_copy_notes(s.notes, training) for s in improvise(ck, chart, 4, 4, SampleConfig(seed=1, temperature=0.5, max_copy=4))]
    assert max(free) > 4 and max(guarded) <= 4, (free, guarded)


def test_resume_continues_a_chord_model(corpus, tmp_path, capsys):
    """`train --resume` picks a chord model up where it stopped, up to --epochs in total."""
    from conftest import run_cli

    from jazz_lstm.models import checkpoint

    out = str(tmp_path / "m.safetensors")
    files = [t.source for t in corpus.tunes]
    args = ["train", *files, "-o", out, "--kind", "chord", "--tx", "8", "--stride", "4", "--hidden", "16",
            "--layers", "1", "--val", "0", "-q"]
    code, _, err = run_cli(capsys, *args, "--epochs", "2")
    assert code == 0, err
    first = checkpoint.load(out)
    code, _, err = run_cli(capsys, *args, "--epochs", "4", "--resume")
    assert code == 0, err
    again = checkpoint.load(out)
    assert again.train.epochs_done == 4 and again.train.losses[:2] == first.train.losses
    code, _, err = run_cli(capsys, *args, "--epochs", "4", "--resume", "--kind", "recipe")
    assert code == 2 and "holds a chord model" in err


def test_three_tone_type_rules_agree():
    """harmony.tone_type (pitches), features.tone_type_table (numpy) and chordlstm.tone_types (torch)
    give every pitch class the same type over chords with alterations."""
    import numpy as np

    from jazz_lstm.core.harmony import parse_chord, tone_type
    from jazz_lstm.grammar.features import pitch_features, tone_type_table
    from jazz_lstm.models.chord.model import tone_types

    chords = [parse_chord(s, 4 * k, 4) for k, s in enumerate(["C7b9", "F#m7b5", "Bbmaj7#11", "E7#5#9", "Adim7", "Gsus4"])]
    from jazz_lstm.grammar.features import harmony_features

    onsets = [48 * k for k in range(len(chords))]
    cond = np.concatenate([harmony_features(chords, onsets, 4.0),
                           pitch_features([-1] * len(chords), [c.root for c in chords])], axis=1)
    numpy_types, _ = tone_type_table(cond)
    torch_types = tone_types(torch.from_numpy(cond)).numpy()
    for c, nt, tt in zip(chords, numpy_types, torch_types):
        want = ["CSAX".index(tone_type(c.root + q, c)) for q in range(12)]
        assert list(nt) == want and list(tt) == want, c.symbol


def test_sampling_runs_in_the_threads_asked_for(capsys):
    """One thread by default (a busy neighbour never makes the default slower), --threads otherwise;
    the caller's thread count is restored afterwards."""
    import torch
    from conftest import run_cli

    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.errors import JazzError
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.solo.generate import improvise

    ck, chords, before = load(default_model_path()), parse_chart("Dm7 G7 | Cmaj7 |", 4.0), torch.get_num_threads()
    for threads in (None, 2):
        seen = []
        cfg = SampleConfig(seed=1) if threads is None else SampleConfig(seed=1, threads=threads)
        improvise(ck, chords, 4, 2, cfg, on_bar=lambda done, total: seen.append(torch.get_num_threads()))
        assert seen and set(seen) == {threads or 1} and torch.get_num_threads() == before
    with pytest.raises(JazzError) as e:
        SampleConfig(threads=0)
    assert e.value.field == "threads"
    code, _, err = run_cli(capsys, "generate", "--threads", "0", "--formats", "none")
    assert code == 2 and "threads" in err, err


def test_the_batched_lines_are_what_the_decoder_makes_of_the_same_values():
    """The sampler plays every solo's values in arrays; grammar.codec.decode (exact, the same seed per
    solo, the same register) makes the same notes of the same values -- first notes, ties, notes
    the masks could not place and the novelty guard included."""
    from jazz_lstm.grammar.codec import decode
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.solo.generate import loop_chords

    ck = load(default_model_path())
    for chart, bpb, cfg in (("F7 | Bb7 | F7 | C7 Bb7 |", 4.0, SampleConfig(seed=2, max_copy=3)),
                            ("Fm | Fm Bb6 | C7alt |", 5.0, SampleConfig(seed=9, temperature=1.6, max_copy=0))):
        changes = loop_chords(parse_chart(chart, bpb), 8, bpb)
        register = (ck.chart.low, ck.chart.high)
        for i, (tokens, notes) in enumerate(sample_chart(ck.model, changes, 8, bpb, 6, cfg, ck.corpus, register)):
            again = decode(tokens, changes, None, cfg.seed * 1000 + i, 0.0, bpb, *register, exact=True)
            assert notes == again, (chart, i)


def test_the_guards_automaton_is_kept_in_the_cache_and_read_back_the_same(tmp_path, monkeypatch):
    """Built once and kept as flat arrays (no pickle) in the cache; read back, it tracks every
    sequence as the built one does; a damaged cache file is rebuilt, an unwritable cache only costs time."""
    import random

    import numpy as np

    from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton
    from jazz_lstm.models.chord.sample import guard_automaton

    monkeypatch.setenv("JAZZ_LSTM_CACHE", str(tmp_path / "cache"))
    rng = random.Random(0)
    corpus = [[rng.randrange(40) for _ in range(rng.randrange(2, 80))] for _ in range(30)]
    built = guard_automaton(corpus)
    files = list((tmp_path / "cache").glob("guard2-*.npz"))
    assert len(files) == 1 and not np.load(files[0], allow_pickle=False).files == []
    read = guard_automaton(corpus)
    assert type(read.next).__name__ == "_Transitions"  # from the file, not built again
    for _ in range(100):
        a, b = CopyTracker(built), CopyTracker(read)
        for x in [rng.choice(rng.choice(corpus)) for _ in range(40)]:
            a.feed(x), b.feed(x)
            assert (a.state, a.run, sorted(a.banned(2))) == (b.state, b.run, sorted(b.banned(2)))
    files[0].write_bytes(b"damaged")
    assert isinstance(guard_automaton(corpus).next, list)  # rebuilt
    arrays = SuffixAutomaton([[1, 2, 3]]).to_arrays()
    arrays["targets"][0] = 99  # a transition to no state
    with pytest.raises(ValueError):
        SuffixAutomaton.from_arrays(arrays)
    monkeypatch.setenv("JAZZ_LSTM_CACHE", "/dev/null/cannot")
    assert isinstance(guard_automaton(corpus).next, list)


@pytest.mark.parametrize("n", [12, 3])  # the numpy pass, and the few rows one CopyTracker steps
def test_batched_copy_trackers_follow_the_one_at_a_time_tracker(n):
    """SuffixAutomaton.trackers(n) (arrays, one numpy pass a step; the sampler's guard) keeps the same state,
    run and banned symbols as n CopyTrackers fed the same symbols, on a built and on a read automaton."""
    import random

    import numpy as np

    from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton

    rng = random.Random(3)
    corpus = [[rng.randrange(30) for _ in range(rng.randrange(2, 60))] for _ in range(25)]
    built = SuffixAutomaton(corpus)
    for sam in (built, SuffixAutomaton.from_arrays(built.to_arrays())):
        batch, one = sam.trackers(n), [CopyTracker(sam) for _ in range(n)]
        where = [(rng.randrange(25), 0) for _ in range(n)]  # each tracker reads along a stream, now and then off it
        longest = 0
        for _ in range(300):
            x = np.zeros(n, dtype=np.int64)
            for r, (k, i) in enumerate(where):
                x[r] = corpus[k][i % len(corpus[k])] if rng.random() < 0.85 else rng.randrange(35)
                where[r] = (k, i + 1) if rng.random() < 0.95 else (rng.randrange(25), rng.randrange(10))
            rows = np.array([r for r in range(n) if rng.random() < 0.8], dtype=np.int64)
            batch.feed(x, rows)
            for r in rows:
                one[r].feed(int(x[r]))
            assert batch.state.tolist() == [t.state for t in one] and batch.run.tolist() == [t.run for t in one]
            assert all(sorted(batch.banned(r, 3)) == sorted(one[r].banned(3)) for r in range(n))
            longest = max(longest, max(t.run for t in one))
        assert longest >= 6  # the test reached long matches (and their banned symbols)


@pytest.mark.parametrize("chart, bpb", [("Dm7 G7 | Cmaj7 | Fm7 Bb7 | Ebmaj7 |", 4.0), ("Am7 | D7 | Gmaj7 |", 3.0)])
def test_a_solo_lands_on_a_chord_tone_of_its_last_bar(chart, bpb):
    """The cadence: the last bar opens with a chord tone of its chord held half a bar or more, then rests only;
    without it (cadence=False) the model stops wherever its line is."""
    from jazz_lstm.core.harmony import tone_type
    from jazz_lstm.core.music import chord_at
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.solo.generate import loop_chords

    ck = load(default_model_path())
    changes = loop_chords(parse_chart(chart, bpb), 8, bpb)
    last = 7 * bpb
    for tokens, notes in sample_chart(ck.model, changes, 8, bpb, 8, SampleConfig(seed=3, cadence=True), ck.corpus):
        final = [n for n in notes if n.start >= last - 1e-9]
        assert len(final) == 1 and abs(final[0].start - last) < 1e-9, [(n.start, n.duration) for n in final]
        assert final[0].duration >= bpb / 2 - 1e-9
        assert tone_type(final[0].pitch, chord_at(changes, last)) == "C"
    free = sample_chart(ck.model, changes, 8, bpb, 8, SampleConfig(seed=3), ck.corpus)  # the default: no cadence
    assert any(len([n for n in notes if n.start >= last]) != 1 for _, notes in free)


def test_phrase_counts_and_time_features_hand_computed():
    """Notes since the last breath (a rest of a quarter beat or more), and the time features' one-hot places."""
    import numpy as np

    from jazz_lstm.grammar.features import TIME_DIM, phrase_counts, time_features

    values = ["C,0.500", "S,0.500,<-3,3>", "R,0.167", "C,0.500,<1,7>", "T,0.500", "R,0.250", "X,1.000,<-5,1>"]
    assert phrase_counts(values).tolist() == [0, 1, 2, 2, 3, 3, 0]  # a 1/6-beat rest is no breath; a tie no note
    rows = time_features(230.0, [0, 3, 20], [0, 48 * 5 + 6, 48 * 7], 4.0, 48 * 8)  # 8 bars of 4/4
    assert rows.shape == (3, TIME_DIM) and (rows.sum(1) == 4).all()  # one bit in each of the four groups
    hot = [np.nonzero(r)[0].tolist() for r in rows]
    # tempo 230: bucket 4 (220-260); since 0, 3, 20: buckets 0, 3, 7; bars 0, 5, 7: 0, 1, 3 of four;
    # bars left 7 (more), 2 (2-3), 0 (the last)
    assert hot == [[4, 6, 14, 21], [4, 9, 15, 20], [4, 13, 17, 18]]


def test_the_bar_of_four_counts_from_the_form_s_sections():
    """bar_in_section by hand: a pick-up bar is the 4th before its section; a 10-bar section starts the count
    again at its end; no sections: from bar 0 (as the models before 0.6.0 heard it)."""
    from jazz_lstm.grammar.features import bar_in_section, time_features

    assert bar_in_section([0, 1, 2, 5, 6, 11, 12], [1, 11]).tolist() == [3, 0, 1, 0, 1, 0, 1]
    assert bar_in_section([0, 1, 4, 5]).tolist() == [0, 1, 0, 1]
    assert bar_in_section([0, 3], [2, 2, 0]).tolist() == [0, 1]  # repeated and unsorted starts
    rows = time_features(120.0, [0, 0], [0, 48], 4.0, 48 * 8, sections=[48])  # a section from bar 1
    assert rows[:, 14:18].argmax(1).tolist() == [3, 0]


def test_a_wjazzd_solo_s_form_reaches_the_model_s_features(tmp_path):
    """WJazzD's form labels are the tune's sections; a model made now hears the bar of four from them, a model
    file made before 0.6.0 (no `sections` in its config) from bar 0, and the chart keeps them through JSON."""
    import json as json_

    from test_wjazzd import beat_table, solo

    from jazz_lstm.core.charts import Chart
    from jazz_lstm.data.corpus import EncodedTune
    from jazz_lstm.grammar.features import HARMONY_COND_DIM
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.chord.kind import ChordKind

    rows = ["0,4,0.5,4,2,0.2,4,1.75,4,67.0,0,2", "1,1,0.5,4,4,0.9,4,2.0,4,69.0,0,1", "1,1,0.5,4,5,0.1,4,2.2,4,70.0,0,3",
            "1,2,0.5,4,3,0.9,4,2.5,4,72.0,0,2", "2,1,0.5,4,1,0.25,4,4.0,4,74.0,0,1"]
    tune = read_tune(solo(tmp_path, rows, beat_table()))
    assert tune.sections == (4.0,)  # A1 on bar 1, after the pick-up bar
    enc = EncodedTune.from_solo(tune)
    place = lambda cond: cond[:, HARMONY_COND_DIM + 14:HARMONY_COND_DIM + 18].argmax(1).tolist()  # noqa: E731
    onsets = [o // 48 for o in enc.onsets]
    assert place(enc.arrays()[1]) == [(b + 3) % 4 for b in onsets] and place(enc.arrays(False)[1]) == [b % 4 for b in onsets]
    chart = Chart(tuple(tune.chords), tune.beats_per_bar, sections=tune.sections)
    assert Chart.from_json(json_.loads(json_.dumps(chart.to_json()))).sections == (4.0,)
    cfg, _ = ChordKind().build({"config": json_.dumps({"hidden": 16, "layers": 1})})
    assert cfg.sections is False and ChordConfig().sections is True


def test_the_sampler_feeds_the_time_features_training_computes(monkeypatch):
    """What the model hears of time while sampling (tempo, notes since the last breath, bar of four, bars
    left) is what EncodedTune.arrays gives it in training for the same values."""
    import numpy as np

    from jazz_lstm.grammar.features import HARMONY_COND_DIM, phrase_counts, time_features
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.solo.generate import improvise

    ck = load(default_model_path())
    seen, hidden = [], ck.model.hidden
    monkeypatch.setattr(ck.model, "hidden", lambda ids, cond, state=None: seen.append(cond[0, 0].clone()) or hidden(ids, cond, state))
    tokens = improvise(ck, parse_chart("Dm7 G7 | Cmaj7 | Fm7 Bb7 | Ebmaj7 |"), 8, 1, SampleConfig(seed=3), tempo=230.0)[0].tokens
    onsets = np.cumsum([0] + [parse_token(v).steps for v in tokens[:-1]])
    want = time_features(230.0, phrase_counts(tokens), onsets, 4.0, 8 * 48)
    got = torch.stack(seen).numpy()[:, HARMONY_COND_DIM:]
    assert len(seen) == len(tokens) and (got == want).all()
    assert want[:, 6:14].argmax(1).max() >= 3  # the line went some notes without a breath


def test_a_model_made_before_the_time_features_reads_what_it_was_trained_on(corpus, tmp_path):
    """A model file whose config reads features.HARMONY_COND_DIM features (every model before the time
    features) loads, samples, and never sees the time features; a file that claims the time features'
    width without naming their version is refused with a message."""
    import json as json_

    from safetensors import safe_open
    from safetensors.torch import save_file

    from jazz_lstm.core.errors import JazzError
    from jazz_lstm.grammar.features import HARMONY_COND_DIM
    from jazz_lstm.models import checkpoint
    from jazz_lstm.solo.generate import improvise

    out = str(tmp_path / "old.safetensors")
    train_corpus(corpus, CorpusTrainConfig(epochs=1, Tx=8, stride=4, batch_size=4, val_fraction=0.0, patience=0),
                 ChordConfig(hidden=16, layers=1, cond_dim=HARMONY_COND_DIM), out=out, progress=False)
    old = checkpoint.load(out)
    ids, cond = old.model.start_ids(1)[:, None], torch.rand(1, 1, COND_DIM)
    other = cond.clone()
    other[..., HARMONY_COND_DIM:] = 1 - other[..., HARMONY_COND_DIM:]
    old.model.eval()
    assert torch.equal(old.model.hidden(ids, cond)[0], old.model.hidden(ids, other)[0])
    assert improvise(old, parse_chart("Dm7 G7 | Cmaj7 |"), 4, 2, SampleConfig(seed=1))[0].tokens
    new = str(tmp_path / "new.safetensors")
    train_corpus(corpus, CorpusTrainConfig(epochs=1, Tx=8, stride=4, batch_size=4, val_fraction=0.0, patience=0),
                 ChordConfig(hidden=16, layers=1), out=new, progress=False)
    with safe_open(new, "pt") as f:
        meta, tensors = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}
    assert json_.loads(meta["config"])["cond_dim"] == COND_DIM and meta["time"]
    del meta["time"]
    meta["file_sha256"] = checkpoint.file_hash(tensors, meta)  # a well-made file, only without the version
    save_file(tensors, str(tmp_path / "bad.safetensors"), metadata=meta)
    with pytest.raises(JazzError, match="time features"):
        checkpoint.load(str(tmp_path / "bad.safetensors"))
