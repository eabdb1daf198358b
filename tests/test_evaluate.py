import json

import pytest
from conftest import run_cli, write_midi

from jazz_lstm.eval.evaluate import EvalReport, evaluate, segments
from jazz_lstm.eval.report import to_json
from jazz_lstm.io.formats import read_tune
from jazz_lstm.models import checkpoint
from jazz_lstm.models.sample import SampleConfig


def test_segments_cover_the_tune(small_midi):
    tune = read_tune(small_midi)
    pieces = segments(tune, 2)
    assert len(pieces) == 2 and sum(len(p.notes) for p in pieces) == len(tune.notes)
    assert pieces[1].notes[0].start == tune.notes[[n.start >= 8 for n in tune.notes].index(True)].start - 8


def test_evaluate_report(small_model, small_midi):
    ck = checkpoint.load(small_model)
    rep = evaluate(ck, [read_tune(small_midi)], n=5, bars=4, cfg=SampleConfig(seed=2), heldout=[read_tune(small_midi)])
    m = rep.metrics
    assert {"chord_tone_share", "approach_resolution_share", "chord_tone_at_change_share", "strong_beat_chord_tone_share",
            "pitch_class_entropy_1bar_bits", "notes_per_bar", "phrase_length_notes"} <= set(m)
    for row in m.values():
        assert set(row) >= {"model", "shuffle", "unigram", "bigram", "human"}
    assert "too thin" in m["chord_tone_share"]["human"]["band"]  # one 4-bar piece: no band, and it says so
    assert m["chord_tone_share"]["model_in_band"] is None
    x = rep.cross_entropy_nats_per_value
    assert set(x) == {"model", "unigram", "bigram"} and all(v > 0 for v in x.values())
    assert rep.coverage == 1.0 and rep.cross_entropy_on == "heldout"
    assert len(rep.targets) == 5 and rep.novelty.longest_copy_values >= 1
    assert 0 <= rep.novelty.ngram4_overlap_share <= 1
    again = EvalReport.from_json(json.loads(to_json(rep)))  # the typed record survives its JSON
    assert again.metrics == json.loads(json.dumps(rep.metrics)) and again.n == 5 and again.solos == []


def test_shuffle_falls_outside_the_human_band(metheny):
    """The shuffle of the Metheny tune's own values passes the old tone-share targets, but a
    phrasing metric puts it outside the band of the tune's 8-bar pieces."""
    import random

    import numpy as np

    from jazz_lstm.eval import metrics as M
    from jazz_lstm.eval.baselines import shuffle_values
    from jazz_lstm.eval.evaluate import SHOWN, band
    from jazz_lstm.grammar import codec as grammar

    tune, bars = read_tune(metheny), 8
    pieces = segments(tune, bars)
    human = [M.summary(p.notes, p.chords, p.beats_per_bar, bars) for p in pieces]
    low, high = min(n.pitch for n in tune.notes), max(n.pitch for n in tune.notes)
    shuffled = []
    for i in range(20):
        p = pieces[i % len(pieces)]
        tokens = shuffle_values([grammar.encode(tune)], bars, 48, random.Random(i))
        shuffled.append(M.summary(grammar.decode(tokens, p.chords, None, random.Random(i), 0.0, 4.0, low, high), p.chords, 4.0, bars))
    new = ["approach_resolution", "chord_tone_at_change", "guide_tone_at_change", "strong_beat_chord_tones",
           "eighth_iois", "triplet_iois", "syncopation", "phrase_notes", "phrase_rest_beats"]
    outside = [k for k in new if not band([h[k] for h in human])["p10"] <= np.mean([s[k] for s in shuffled])
               <= band([h[k] for h in human])["p90"]]
    assert len(pieces) >= 10 and outside, {k: SHOWN[k][0] for k in new}
    old = band([h["chord_tones"] for h in human])
    assert old["p10"] <= np.mean([s["chord_tones"] for s in shuffled]) <= old["p90"]


def test_evaluate_cli_html_and_json(capsys, tmp_path, small_model, small_midi):
    html = tmp_path / "report.html"
    code, out, err = run_cli(capsys, "evaluate", "-m", small_model, "--tunes", small_midi, "--n", "4", "--bars", "4", "-o", str(html))
    assert code == 0, err
    assert "chord-tone share" in out and "longest verbatim copy" in out and "bigram" in out and "cross-entropy" in out
    page = html.read_text()
    assert page.count("data:image/png;base64,") >= 2 and "data:audio/wav;base64," in page and "<table>" in page
    code, out, err = run_cli(capsys, "evaluate", "-m", small_model, "--tunes", small_midi, "--n", "3", "--bars", "4", "--json")
    data = json.loads(out)
    assert code == 0 and data["n"] == 3 and "_solos" not in data and "_per_chart_solos" not in data
    assert set(data["cross_entropy_nats_per_value"]) == {"model", "unigram", "bigram"} and 0 <= data["coverage"] <= 1
    assert set(data["metrics"]["approach_resolution_share"]) >= {"model", "shuffle", "unigram", "bigram", "human"}


@pytest.mark.parametrize("args,msg", [
    (["--n", "0"], "--n and --bars must be >= 1"),
    (["--chords", "nowhere/chart.txt"], "no such file"),
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


def test_evaluate_over_several_charts(capsys, small_model, small_midi):
    code, out, err = run_cli(capsys, "evaluate", "-m", small_model, "--tunes", small_midi, "--n", "2", "--bars", "4",
                             "-c", "Dm7 G7 | Cmaj7 |", "-c", "F7 | Bb7 | F7 | C7 |", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [c["chart"] for c in data["per_chart"]] == ["Dm7 G7 | Cmaj7 |", "F7 | Bb7 | F7 | C7 |"]
    assert all(len(c["voice_leading_scores"]) == 2 for c in data["per_chart"])


def test_baseline_draws_are_random_choices_over_the_candidates():
    """NgramBaseline.sample's array form draws exactly what random.choices over the candidate
    list draws (the loop it replaced), with the legality of a chord model's grid."""
    import random

    from jazz_lstm.eval.baselines import NgramBaseline

    streams = [["C,0.500,<0,6>", "S,0.250,<1,7>", "R,0.500", "C,1.000,<-3,3>", "A,0.500,<1,7>"] * 4,
               ["R,1.000", "C,0.500,<0,6>", "X,0.250,<2,8>", "C,0.500,<-1,5>"] * 3]
    for order in (1, 2):
        m = NgramBaseline(streams, order)
        for legal in ((48, 1, 0), (12, 0, 0), (6, 1, 1)):
            for prev in (None, "C,0.500,<0,6>", "R,1.000"):
                a, b = random.Random(5), random.Random(5)
                got = [m.sample(prev, legal, a) for _ in range(30)]
                want = [_loop_sample(m, prev, legal, b) for _ in range(30)]
                assert got == want, (order, legal, prev)


def _loop_sample(m, prev, legal, rng):
    from jazz_lstm.grammar.features import factorize

    cands, weights, rest = [], [], 1.0
    if m.order == 2 and prev in m.big:
        follow = m.big[prev]
        cu = sum(follow.values())
        lam = cu / (cu + len(follow))
        for w, c in follow.items():
            t, d, i = factorize(w)  # the value fits the bar and its interval is legal here, one value at a time
            if d + 1 <= legal[0] and m._table(legal)[t, i] > 0:
                cands.append(w)
                weights.append(lam * c / cu)
        rest = 1 - lam
    for v, c, good in zip(m.seen, m._cnt, m._legal_seen(legal)):
        if good:
            cands.append(v)
            weights.append(rest * m.lam * c / m.N)
    back = rest * (1 - m.lam) * m._p0_mass(legal)
    if rng.random() * (sum(weights) + back) < sum(weights):
        return rng.choices(cands, weights)[0]
    return m._sample_p0(legal, rng)
