"""Nats per event (issue #20.2): events from values, the event baselines against hand-computed
figures, and the model's figure consistent with its per-value likelihood."""
import math

import pytest

from jazz_lstm.core.harmony import parse_chord
from jazz_lstm.core.music import Note, Solo
from jazz_lstm.eval.events import N_EVENTS, EventNgram, event_scores, tune_events


def small_solo():
    chords = [parse_chord("Dm7", 0.0, 4.0), parse_chord("G7", 4.0, 4.0), parse_chord("Cmaj7", 8.0, 8.0)]
    notes = [Note(62, 0.0, 1.0), Note(65, 1.0, 0.5), Note(69, 1.5, 0.5), Note(72, 2.0, 3.0),  # held over the bar line
             Note(71, 6.0, 1.0), Note(67, 12.0, 1.0)]  # a rest of 1 beat, and one of 4 across a bar line
    return Solo(notes=notes, chords=chords)


def test_events_merge_ties_and_split_rests():
    from jazz_lstm.data.corpus import EncodedTune

    solo = small_solo()
    enc = EncodedTune.from_solo(solo)
    events = [e for e, _, _ in tune_events(enc.values, enc.onsets, solo)]
    assert events[:4] == [("N", 62, 12), ("N", 65, 6), ("N", 69, 6), ("N", 72, 36)]  # 3 beats: a note and its tie
    assert events[4] == ("R", 12) and events[5] == ("N", 71, 12) and events[6] == ("R", 60)  # 5 beats of rest
    assert events[7] == ("N", 67, 12)


def test_event_baselines_hand_computed():
    a, b = ("N", 60, 12), ("R", 6)
    uni = EventNgram([[a, a, b]], 1)
    lam = 3 / (3 + 2)  # Witten-Bell: 3 events seen, 2 kinds
    assert uni.prob(a, None) == pytest.approx(lam * 2 / 3 + (1 - lam) / N_EVENTS)
    big = EventNgram([[a, a, b]], 2)
    lam_a = 2 / (2 + 2)  # after a: 2 events (a, b), 2 kinds
    assert big.prob(b, a) == pytest.approx(lam_a * 1 / 2 + (1 - lam_a) * uni.prob(b, None))
    assert big.nll([a, b]) == pytest.approx(-math.log(uni.prob(a, None)) - math.log(big.prob(b, a)))


def test_model_event_scores_are_its_value_likelihoods():
    from jazz_lstm.data.corpus import EncodedTune
    from jazz_lstm.eval.events import _first_pitch_term
    from jazz_lstm.models.checkpoint import default_model_path, load

    ck = load(default_model_path())
    solo = small_solo()
    out = event_scores(ck, [solo], [solo])
    assert out["event_coverage"] == 1.0 and out["events"] == 9  # and the rest to the end of the last bar
    assert 0.0 <= out["next_pitch_accuracy"] <= 1.0 and 0.0 <= out["next_duration_accuracy"] <= 1.0
    enc = EncodedTune.from_solo(solo)
    events = tune_events(enc.values, enc.onsets, solo)
    nll, _, _, _, _ = ck.spec.event_pass(ck, enc, [f for _, f, _ in events])
    first = _first_pitch_term(ck, enc, solo, 0, events[0][0])
    assert first > 0  # the first note's pitch: uniform over its tone type in the register
    assert out["nats_per_event"]["model"] == pytest.approx((float(nll.sum()) + first) / 9, abs=1e-3)
    assert out["nats_per_event"]["bigram"] < out["nats_per_event"]["unigram"]  # fitted on the same solo


def test_events_from_the_cache_record_match_those_from_the_notes():
    from jazz_lstm.data.corpus import EncodedTune

    solo = small_solo()
    enc = EncodedTune.from_solo(solo)
    from_notes = tune_events(enc.values, enc.onsets, solo)
    from_record = tune_events(enc.values, enc.onsets, None, enc.prev_pitches)
    assert from_notes[:-1] == from_record[:-1]  # the last value has no next value to name its pitch


def test_the_broadcast_interval_logits_are_the_heads_own():
    import torch

    from jazz_lstm.grammar.features import N_DUR
    from jazz_lstm.models.checkpoint import default_model_path, load

    model = load(default_model_path()).model
    h = torch.randn(3, model.cfg.hidden)
    ty = torch.full((3,), 1)
    durs = torch.arange(N_DUR)
    W, H, Te = model.int_head.weight, model.cfg.hidden, model.type_emb.embedding_dim
    fast = (h @ W[:, :H].T + model.int_head.bias)[:, None] + (model.type_emb(ty[:1]) @ W[:, H:H + Te].T)[:, None] \
        + (model.dur_emb(durs) @ W[:, H + Te:].T)[None]
    slow = model.int_logits(h[:, None].expand(3, N_DUR, H), ty[:, None].expand(3, N_DUR), durs.expand(3, N_DUR))
    assert torch.allclose(fast, slow, atol=1e-4)
