"""#9 and #10: reading the Impro-Visor corpus, and the chord-aware model on held-out tunes.

1. Parse + encode the 54 shared solos (1 and 2 processes, then from the cache) and parse the
   2,614 charts.
2. Hold out the solos of some tunes (every solo of a held-out tune: 8 or more solos), train
   the chord model on the rest (2 CPU threads), and report beside the unigram, bigram and
   shuffle baselines on the same held-out solos: cross-entropy per value, coverage, and over
   each held-out tune's own changes the voice-leading metrics against the band of the held-out
   solos -- as 32-bar pieces, and one value per whole solo; the longest copy of any training
   solo; 4-gram overlap over 10 seeds.
   Also the recipe (one tune, 100 epochs) in the same run.
"""
from __future__ import annotations

import glob
import os
import sys
import tempfile
import time

import numpy as np
from common import HERE, METHENY, row

IV = os.path.abspath(os.path.join(HERE, "..", "..", "shared", "data", "impro-visor"))
BARS = 32
KEYS = ("strong_beat_chord_tones", "approach_resolution", "chord_tone_at_change")


def reading() -> list[dict]:
    from jazz_lstm.data.corpus import prepare
    from jazz_lstm.io.leadsheet import read_leadsheet_chart

    solos = os.path.join(IV, "solos")
    rows = []
    os.environ["JAZZ_LSTM_CACHE"] = tempfile.mkdtemp()
    times = {}
    for jobs in (1, 2):
        t = time.perf_counter()
        c = prepare([solos], jobs=jobs, cache=False)
        times[jobs] = time.perf_counter() - t
    prepare([solos], jobs=2)  # fill the cache
    t = time.perf_counter()
    cached = prepare([solos])
    times["cache"] = time.perf_counter() - t
    assert cached.cached == len(c.tunes)
    n = len(c.tunes)
    rows.append(row(f"parse + encode {n} solos, 1 process", n / times[1], "files/s", ">= 200/s", f"{times[1]:.2f} s"))
    rows.append(row(f"parse + encode {n} solos, 2 processes", n / times[2], "files/s", ">= 200/s",
                    f"{times[2]:.2f} s, {times[1] / times[2]:.1f}x one process"))
    rows.append(row(f"the same, second run from the cache", n / times["cache"], "files/s", ">= 10x first",
                    f"{times[1] / times['cache']:.0f}x the uncached run"))
    charts = sorted(glob.glob(os.path.join(IV, "charts", "*.ls")))
    t = time.perf_counter()
    bad = 0
    for f in charts:
        try:
            read_leadsheet_chart(f)
        except Exception:
            bad += 1
    took = time.perf_counter() - t
    rows.append(row(f"parse {len(charts)} chord charts (1 process)", len(charts) / took, "files/s", ">= 200/s",
                    f"{took:.2f} s, {bad} without chords"))
    return rows


def heldout() -> list[dict]:
    import random

    from jazz_lstm.data.corpus import prepare
    from jazz_lstm.data.dataset import split_by_tune
    from jazz_lstm.eval import metrics as M
    from jazz_lstm.eval.evaluate import band, baseline_solos, cross_entropy, segments
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.chord.train import CorpusTrainConfig, train_corpus
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    corpus = prepare([os.path.join(IV, "solos")], jobs=2)
    train_idx, test_idx = split_by_tune([t.tune for t in corpus.tunes], 0.17, seed=1)
    test = [read_tune(corpus.tunes[i].source) for i in test_idx]
    train_solos = [read_tune(corpus.tunes[i].source) for i in train_idx]
    rows = []
    t = time.perf_counter()
    ck = train_corpus(corpus.subset(train_idx), CorpusTrainConfig(threads=2, seed=0), progress=False)
    took = time.perf_counter() - t
    rows.append(row(f"train the chord model on {len(train_idx)} solos (2 threads)", took, "s", "<= 600 s",
                    f"{ck.train.epochs_done} epochs, early stopping on 10% of the training tunes"))
    x = cross_entropy(ck, test)
    ce = x["nats_per_value"]
    ref = f"{len(test)} held-out solos of {len({corpus.tunes[i].tune for i in test_idx})} tunes, {x['values']} values"
    rows.append(row("held-out cross-entropy: model", ce["model"], "nats", "-", ref))
    rows.append(row("  unigram baseline", ce["unigram"], "nats", "-", f"model {ce['unigram'] - ce['model']:+.2f} below"))
    rows.append(row("  bigram baseline", ce["bigram"], "nats", "-", f"model {ce['bigram'] - ce['model']:+.2f} below"))
    rows.append(row("  target: model >= 0.5 below both", min(ce["unigram"], ce["bigram"]) - ce["model"], "nats",
                    ">= 0.5", "met" if min(ce["unigram"], ce["bigram"]) - ce["model"] >= 0.5 else "MISSED"))
    rows.append(row("coverage of held-out values", x["coverage"], "", "1.0"))
    # generation over each held-out tune's own changes, 10 solos each
    pieces = [p for s in test for p in segments(s, BARS)]
    human = [M.summary(p.notes, p.chords, p.beats_per_bar, BARS) for p in pieces]
    gen: dict = {k: [] for k in ("model", "shuffle", "unigram", "bigram")}
    copies, overlaps = [], []
    for s in test:
        chart = s.excerpt(0, BARS * s.beats_per_bar)
        solos = improvise(ck, chart.chords, BARS, 10, SampleConfig(seed=7), beats_per_bar=s.beats_per_bar, tempo=s.tempo)
        gen["model"] += [M.summary(m.notes, m.chords, m.beats_per_bar, BARS) for m in solos]
        for name, group in baseline_solos(ck, chart, BARS, 10, 7).items():
            gen[name] += [M.summary(m.notes, m.chords, m.beats_per_bar, BARS) for m in group]
        copies += [M.longest_copy_notes(m.notes, [t.notes for t in train_solos]) for m in solos[:3]]
        overlaps.append(M.ngram_overlap([m.tokens for m in solos], 4))
    whole = [M.summary(s.notes, s.chords, s.beats_per_bar, s.n_bars) for s in test]  # one value per held-out solo
    outside: dict = {"pieces": [], "solos": []}
    for key in KEYS:
        vals = {k: float(np.mean([g[key] for g in v])) for k, v in gen.items()}
        for name, b in (("pieces", band([h[key] for h in human])), ("solos", band([w[key] for w in whole]))):
            inside = b["p10"] <= vals["model"] <= b["p90"]
            if not b["p10"] <= vals["shuffle"] <= b["p90"]:
                outside[name].append(key)
            rows.append(row(f"{key} (model) vs held-out {name}", vals["model"], "", "in band",
                            f"band {b['p10']:.2f}-{b['p90']:.2f} ({b['pieces']} {name}): {'inside' if inside else 'OUTSIDE'}; "
                            f"shuffle {vals['shuffle']:.2f}, unigram {vals['unigram']:.2f}, bigram {vals['bigram']:.2f}"))
    for name in ("pieces", "solos"):
        rows.append(row(f"metrics where the shuffle falls outside the held-out {name}' band", len(outside[name]), "",
                        ">= 1", ", ".join(outside[name]) or "none"))
    rows.append(row("longest copy of a training solo", max(copies), "notes", "<= 8", f"{len(copies)} solos"))
    rows.append(row("pairwise 4-gram overlap, 10 seeds", float(np.mean(overlaps)), "", "< 0.30",
                    f"max {max(overlaps):.3f} over {len(test)} charts"))
    if os.path.exists(METHENY):
        from jazz_lstm.models.recipe.train import TrainConfig, train

        tune = read_tune(METHENY)
        t = time.perf_counter()
        train([tune], TrainConfig(seed=0), progress=False)
        rows.append(row("recipe mode: train Metheny 100 epochs", time.perf_counter() - t, "s", "<= 2 s", "same run"))
    random.seed(0)
    return rows


def main() -> list[dict]:
    if not os.path.isdir(os.path.join(IV, "solos")):
        print(f"skipped: {IV} not present")
        return []
    return ([] if "--heldout-only" in sys.argv else reading()) + heldout()


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
