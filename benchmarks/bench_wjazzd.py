"""The Weimar Jazz Database on the field's yardstick (issue #20), in one run:

* `prepare` of the 395 solos: a first, uncached read and a cached one (solos/s);
* on the project's held-out WJazzD tunes (wjazzd.is_heldout: one tune in ten, never trained on):
  nats per event of the model beside the event unigram and bigram fitted on the training tunes,
  coverage, next-pitch and next-duration accuracy; per value too;
* on the 54 Impro-Visor solos (another corpus, never trained on): nats per event beside the same
  baselines;
* over the held-out tunes' charts: the generated solos' chord-tone share beside the held-out humans',
  and the distinguishability of the model and of each baseline (8-bar pieces, evaluate's classifier).

    python benchmarks/bench_wjazzd.py [MODEL]      # default: the shipped model; about 5 minutes on 2 cores
"""
from __future__ import annotations

import glob
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, WJAZZD, row, tune_charts, wjazzd_solos  # noqa: E402

SHARED = os.path.join(HERE, "..", "..", "shared", "data")
SOLOS = os.path.join(SHARED, "impro-visor", "solos")


def prepare_rates() -> list[dict]:
    from jazz_lstm.data.corpus import prepare

    with tempfile.TemporaryDirectory() as cache:
        os.environ["JAZZ_LSTM_CACHE"] = cache
        t = time.perf_counter()
        first = prepare([WJAZZD], jobs=2)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        again = prepare([WJAZZD], jobs=2)
        warm = time.perf_counter() - t
    n = len(first.tunes) + len(first.skipped)
    return [row("WJazzD: prepare 395 solos, first read (2 processes)", n / cold, "/s", "-", f"{cold:.1f} s"),
            row("WJazzD: prepare 395 solos, cached", n / warm, "/s", ">= 200", f"{warm:.2f} s, {again.cached} from the cache")]


def main(model: str | None = None) -> list[dict]:
    from jazz_lstm.data.corpus import tune_name
    from jazz_lstm.eval.evaluate import evaluate
    from jazz_lstm.eval.events import event_scores
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.io.wjazzd import is_heldout
    from jazz_lstm.models.checkpoint import default_model_path, load

    if not os.path.isdir(WJAZZD):
        print("skipped: ../shared/data/wjazzd not present")
        return []
    rows = prepare_rates()
    ck = load(model or default_model_path())
    solos = wjazzd_solos()
    held = [s for s in solos if is_heldout(tune_name(s))]
    train = [s for s in solos if not is_heldout(tune_name(s))]
    print(f"model {ck.path} ({ck.train.data_source[:60]}...); {len(held)} held-out solos of "
          f"{len({tune_name(s) for s in held})} tunes, {len(train)} training solos", flush=True)
    t = time.perf_counter()
    ev = event_scores(ck, held, train)
    x = ev["nats_per_event"]
    rows.append(row("WJazzD held out: nats per event, model", x["model"], "nats", "<= 3.5",
                    f"unigram {x['unigram']:.2f}, bigram {x['bigram']:.2f}; {ev['events']} events, coverage "
                    f"{ev['event_coverage']:.0%}; pitch {ev['next_pitch_accuracy']:.1%}, duration "
                    f"{ev['next_duration_accuracy']:.1%}; {time.perf_counter() - t:.0f} s"))
    rows.append(row("WJazzD held out: bigram - model, nats per event", x["bigram"] - x["model"], "nats", ">= 0.5"))
    if os.path.isdir(SOLOS):
        iv = [read_tune(f) for f in sorted(glob.glob(os.path.join(SOLOS, "*.ls")))]
        ei = event_scores(ck, iv, train)
        y = ei["nats_per_event"]
        rows.append(row("Impro-Visor solos (cross-corpus): bigram - model", y["bigram"] - y["model"], "nats", ">= 0.3",
                        f"model {y['model']:.2f}, unigram {y['unigram']:.2f}, bigram {y['bigram']:.2f}; "
                        f"{ei['events']} events; pitch {ei['next_pitch_accuracy']:.1%}"))
    charts = tune_charts(held)
    t = time.perf_counter()
    rep = evaluate(ck, held, n=5, bars=32, heldout=held, reference=held, charts=charts)
    ct = rep.metrics["chord_tone_share"]
    human = ct["human"].get("median")
    rows.append(row("WJazzD held-out charts: chord-tone share, model - humans", 100 * (ct["model"] - human), "pts", "within ±3",
                    f"model {ct['model']:.1%}, humans {human:.1%} (median of 32-bar pieces); shuffle {ct['shuffle']:.1%}, "
                    f"bigram {ct['bigram']:.1%}; {time.perf_counter() - t:.0f} s"))
    d = rep.distinguishability
    rows.append(row("WJazzD held-out charts: distinguishability, model", d["model"] or float("nan"), "acc",
                    "< every baseline", f"shuffle {d['shuffle']}, unigram {d['unigram']}, bigram {d['bigram']}; "
                    f"pieces {d['pieces']}"))
    xv = rep.cross_entropy_nats_per_value
    rows.append(row("WJazzD held out: nats per value, model", xv["model"], "nats", "-",
                    f"unigram {xv['unigram']:.2f}, bigram {xv['bigram']:.2f}"))
    return rows


if __name__ == "__main__":
    main(*sys.argv[1:])
