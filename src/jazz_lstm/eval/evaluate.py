"""How good is a model?  Its solos beside three model-free baselines (the shuffle, a
unigram and a bigram of its training values, decoded over the same chords by the same
decoder) and beside the band of human solos; novelty against everything it trained on;
cross-entropy per value on held-out tunes for the model and the n-gram baselines.

    report = evaluate(ck, [read_tune("tune.mid")], n=20, heldout=[read_tune("other.ls")])
"""
from __future__ import annotations

import os
import random
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Solo, to_steps
from jazz_lstm.data.corpus import EncodedTune, prepare, tune_files
from jazz_lstm.eval import metrics as M
from jazz_lstm.eval.baselines import NgramBaseline, fill_bars, shuffle_values
from jazz_lstm.eval.distinguish import MIN_PER_CLASS, distinguishability
from jazz_lstm.eval.events import event_scores
from jazz_lstm.grammar.codec import Decoder
from jazz_lstm.grammar.features import tone_type_table
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.tunes import resolve
from jazz_lstm.models.checkpoint import Checkpoint
from jazz_lstm.models.sample import SampleConfig
from jazz_lstm.solo.generate import generated_solo, improvise, loop_chords, solo_from_tokens, training_values

# summary key -> (JSON key with its unit, label, format); the order of the report
SHOWN = {
    "chord_tones": ("chord_tone_share", "chord-tone share", "{:.0%}"),
    "scale_tones": ("scale_tone_share", "scale-tone share", "{:.0%}"),
    "approach_tones": ("approach_tone_share", "approach-tone share", "{:.0%}"),
    "approach_resolution": ("approach_resolution_share", "approach tones resolved", "{:.0%}"),
    "chord_tone_at_change": ("chord_tone_at_change_share", "chord tone at each change", "{:.0%}"),
    "guide_tone_at_change": ("guide_tone_at_change_share", "3rd/7th at each change", "{:.0%}"),
    "strong_beat_chord_tones": ("strong_beat_chord_tone_share", "chord tones on beats 1 and 3", "{:.0%}"),
    "weak_beat_chord_tones": ("weak_beat_chord_tone_share", "chord tones elsewhere", "{:.0%}"),
    "H1": ("pitch_class_entropy_1bar_bits", "pitch-class entropy, 1 bar (bits)", "{:.2f}"),
    "H4": ("pitch_class_entropy_4bar_bits", "pitch-class entropy, 4 bars (bits)", "{:.2f}"),
    "GS": ("grooving_similarity_share", "grooving similarity", "{:.2f}"),
    "eighth_iois": ("eighth_ioi_share", "eighth-note onsets", "{:.0%}"),
    "triplet_iois": ("triplet_ioi_share", "triplet onsets", "{:.0%}"),
    "syncopation": ("syncopation_share", "syncopated notes", "{:.0%}"),
    "phrase_notes": ("phrase_length_notes", "phrase length (notes)", "{:.1f}"),
    "phrase_rest_beats": ("rest_between_phrases_beats", "rest between phrases (beats)", "{:.1f}"),
    "pitch_range": ("pitch_range_semitones", "pitch range (semitones)", "{:.0f}"),
    "mean_abs_interval": ("mean_abs_interval_semitones", "mean |interval| (semitones)", "{:.2f}"),
    "notes_per_bar": ("notes_per_bar", "notes per bar", "{:.1f}"),
    "empty_beats": ("empty_beat_share", "empty beats", "{:.0%}"),
}
SOURCES = ("model", "shuffle", "unigram", "bigram")
MIN_BAND = 10  # pieces needed before percentiles mean anything


def segments(tune: Solo, bars: int) -> list[Solo]:
    """The tune cut into `bars`-bar pieces (times from 0), pieces with under 4 notes left out."""
    span = bars * tune.beats_per_bar
    out = []
    for k in range(int(np.ceil(tune.length_beats / span))):
        piece = tune.excerpt(k * span, (k + 1) * span)
        if len(piece.notes) >= 4 and piece.chords:
            out.append(piece)
    return out


def band(values: list[float]) -> dict:
    """p10, median, p90 of the human pieces -- or, with fewer than MIN_BAND pieces, only the
    median and a note that the band is too thin to judge by."""
    v = np.asarray(values, dtype=float)
    if v.size < MIN_BAND:
        return {"median": float(np.median(v)) if v.size else None, "pieces": int(v.size),
                "band": f"too thin ({v.size} pieces, need {MIN_BAND})"}
    return {"p10": float(np.percentile(v, 10)), "median": float(np.median(v)), "p90": float(np.percentile(v, 90)),
            "pieces": int(v.size)}


def in_band(value: float, b: dict) -> bool | None:
    return None if "p10" not in b else b["p10"] - 1e-9 <= value <= b["p90"] + 1e-9


def voice_leading_score(summary: dict) -> float:
    """One number for the report's best/worst pick: mean of approach resolution, chord tone
    at each change and chord tones on strong beats."""
    return float(np.mean([summary["approach_resolution"], summary["chord_tone_at_change"], summary["strong_beat_chord_tones"]]))


def baseline_solos(ck: Checkpoint, chart: Chart, bars: int, n: int, seed: int) -> dict:
    """n solos of each baseline over the chart's changes, decoded like the model's."""
    streams = training_values(ck)
    space = ck.spec.value_space(ck)
    uni, big = NgramBaseline(streams, 1, space), NgramBaseline(streams, 2, space)
    bpb = chart.beats_per_bar
    changes = loop_chords(chart.chords, bars, bpb)
    out: dict = {}
    for name in ("shuffle", "unigram", "bigram"):
        solos = []
        for i in range(n):
            rng = random.Random(f"{name}-{seed}-{i}")
            if name == "shuffle":
                tokens = shuffle_values(streams, bars, to_steps(bpb), rng)
                solos.append(solo_from_tokens(ck, tokens, changes, bpb, chart.tempo, seed * 1000 + i))
                continue
            model = uni if name == "unigram" else big
            if space is not None:  # a vocabulary: sampled freely, decoded afterwards
                tokens = fill_bars(lambda prev, legal, m=model, r=rng: m.sample(prev, None, r), bars, to_steps(bpb))
                solos.append(solo_from_tokens(ck, tokens, changes, bpb, chart.tempo, seed * 1000 + i))
                continue
            dec = Decoder(changes, None, random.Random(seed * 1000 + i), 0.0, bpb, ck.chart.low,
                          ck.chart.high, exact=True)  # decoded as it goes, like a factored model
            tokens = fill_bars(lambda prev, legal, m=model, r=rng: m.sample(prev, legal, r), bars, to_steps(bpb), dec)
            solos.append(generated_solo(dec.notes, changes, bpb, chart.tempo, tokens))
        out[name] = solos
    return out


def cross_entropy(ck: Checkpoint, tunes: list[Solo]) -> dict:
    """Nats per value of the model and the n-gram baselines on `tunes`, over the values the
    model can emit (`coverage`: their share of all values)."""
    enc = [EncodedTune.from_solo(t) for t in tunes]
    streams = training_values(ck)
    space = ck.spec.value_space(ck)
    out = {}
    out["model"], covered = ck.spec.nll(ck, enc)
    legals = [_legalities(t) for t in enc] if space is None else [None] * len(enc)  # any legal value vs a vocabulary
    for name, order in (("unigram", 1), ("bigram", 2)):
        model = NgramBaseline(streams, order, space)
        nll = [model.nll(t.values, lg) for t, lg in zip(enc, legals)]
        out[name] = round(sum(a for a, _ in nll) / max(1, sum(b for _, b in nll)), 5)
    total = sum(len(t.values) for t in enc)
    return {"nats_per_value": out, "coverage": covered / total if total else 0.0, "values": total}


def _legalities(tune) -> list[tuple]:
    """Each value's legality for the n-gram baselines: the model's masks, tone types included."""
    _, cond, legal = tune.arrays()
    types, prev = tone_type_table(cond)
    return [(int(r), int(h), int(t), tuple(int(x) for x in ty), int(p)) for (r, h, t), ty, p in zip(legal, types, prev)]


@dataclass(kw_only=True)
class Target:
    """One pass/fail line of the report: the model's solos beside the original tune."""

    target: str  # what is asked, in words ("chord-tone share within ±5 points of the original")
    value: float  # what was measured, in `unit`
    unit: str  # "points" (percentage points), "bits", "notes", "%"
    ok: bool  # whether the target is met

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Target:
        return cls(target=str(data["target"]), value=float(data["value"]), unit=str(data.get("unit", "")),
                   ok=bool(data["ok"]))


@dataclass(kw_only=True)
class Novelty:
    """How much of the generated solos is copied, and from where."""

    longest_copy_values: int  # the longest run of grammar values copied from the training streams
    longest_copy_notes: int  # the longest run of notes (pitch and rhythm) copied from the reference tunes
    longest_copy_training_notes: int  # the longest run of melodic shapes copied from the training streams
    training_notes_copied_from: str | None  # the training tune those shapes come from
    copied_from: str | None  # the training tune the longest run of values comes from
    copied_passage: list[str]  # that run's values
    ngram4_overlap_share: float = 0.0  # mean pairwise 4-gram overlap between the solos over the first chart (0..1)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Novelty:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class EvalReport:
    """What `evaluate` measured.  metrics: per metric (units in the key: _share 0..1, _bits,
    _notes, _semitones, _beats) the mean of the model's and each baseline's solos and the
    human band (p10/median/p90).  cross_entropy_nats_per_value: model, unigram, bigram on
    the held-out tunes (or the tunes); coverage: share of those values the model can emit.
    solos, per_chart_solos: the generated Solos (not in the JSON)."""

    model: dict[str, Any]  # path, sha256, kind, vocabulary size, training facts
    tunes: list[str]  # the tunes' sources
    charts: list[str]  # the charts' titles
    n: int  # solos per chart and source
    bars: int  # bars per solo
    sampling: dict[str, Any]  # the SampleConfig's fields
    human_pieces: int  # human pieces of `bars` bars in the band
    cross_entropy_nats_per_value: dict[str, float]  # model, unigram, bigram
    coverage: float  # share of the scored values the model can emit
    cross_entropy_on: str  # "heldout" or "tunes"
    cross_entropy_values: int  # values scored
    metrics: dict[str, dict[str, Any]]  # per metric: model, shuffle, unigram, bigram, human band, model_in_band
    per_chart: list[dict[str, Any]]  # per chart: its title, its metrics table, best and worst solo
    targets: list[Target]
    novelty: Novelty
    distinguishability: dict[str, Any] = field(default_factory=dict)  # per source, the 8-bar classifier's accuracy (0.5 = indistinguishable)
    events: dict[str, Any] = field(default_factory=dict)  # nats per event (model, unigram, bigram), next-pitch/duration accuracy
    speed: dict[str, Any] = field(default_factory=dict)  # solos_per_second generating (decoding included), train_seconds_per_epoch, weights
    solos: list[Solo] = field(default_factory=list, repr=False)
    per_chart_solos: list[list[Solo]] = field(default_factory=list, repr=False)
    human_solos: list[Solo] = field(default_factory=list, repr=False)  # the tunes compared with

    def to_json(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_JSON}
        d["targets"], d["novelty"] = [t.to_json() for t in self.targets], self.novelty.to_json()
        return d

    @classmethod
    def from_json(cls, data: dict) -> EvalReport:
        names = {f.name for f in fields(cls)} - _NOT_JSON
        required = names - {"distinguishability", "events", "speed"}  # reports written before them have none
        if not isinstance(data, dict) or not required <= set(data):
            raise ValueError("not an evaluation report (fields missing)")
        d = {k: data[k] for k in names if k in data}
        d["targets"], d["novelty"] = [Target.from_json(t) for t in d["targets"]], Novelty.from_json(d["novelty"])
        return cls(**d)


_NOT_JSON = {"solos", "per_chart_solos", "human_solos"}


def evaluate_files(ck: Checkpoint, tunes: list[str], n: int = 20, bars: int = 32, cfg: SampleConfig | None = None,
                   heldout: list[str] | None = None, reference: list[str] | None = None,
                   charts: list[Chart] | None = None) -> EvalReport:
    """`evaluate` on files and folders (searched recursively); tunes default to the model's
    training tunes where they are still here."""
    names = list(tunes or []) or training_tunes_here(ck)
    return evaluate(ck, expand_tunes(names), n, bars, cfg, expand_tunes(heldout), expand_tunes(reference), charts)


def training_tunes_here(ck: Checkpoint) -> list[str]:
    """The model's training tunes that are still here; JazzError when none is."""
    names = [t for t in ck.train.tunes if t.startswith("corpus:") or t == "default" or os.path.isfile(t)]
    if not names:
        raise JazzError("the model's training tunes are not here: name the tunes to compare with", field="tunes")
    return names


def expand_tunes(specs: list[str] | None) -> list[Solo] | None:
    """Every tune in files and folders (searched recursively); None for None."""
    return [read_tune(resolve(t)) for t in tune_files(specs)] if specs else None


def evaluate(ck: Checkpoint, tunes: list[Solo], n: int = 20, bars: int = 32, cfg: SampleConfig | None = None,
             heldout: list[Solo] | None = None, reference: list[Solo] | None = None,
             charts: list[Chart] | None = None) -> EvalReport:
    """Generate n solos (and n of each baseline) of `bars` bars over each chart (default: the
    first tune's changes) and compare their metrics with the band of `reference` (default:
    `tunes`) cut into pieces of the same length."""
    if n < 1:
        raise JazzError(f"at least 1 solo per chart (got {n})", field="n")
    if not tunes or not any(t.notes for t in tunes):
        raise JazzError("no melody to compare with")
    cfg = cfg or SampleConfig()
    reference = reference or tunes
    first = tunes[0]
    charts = charts or [Chart(tuple(first.chords), first.beats_per_bar, first.tempo, first.key, title=first.source,
                              sections=first.sections)]
    bars = max(1, bars)
    pieces = [p for t in reference for p in segments(t, bars)]
    human = [M.summary(p.notes, p.chords, p.beats_per_bar, bars) for p in pieces]
    bands = {k: band([h[k] for h in human]) for k in SHOWN}
    per_chart, all_solos, everything, gens = _over_charts(ck, charts, bars, n, cfg, bands)
    generating = sum(c["generate_seconds"] for c in per_chart)
    solos = [s for group in all_solos for s in group]
    train_tokens = training_values(ck)
    novelty = _novelty(ck, solos, train_tokens, reference)
    overlap = M.ngram_overlap([s.tokens for s in all_solos[0]], 4)
    novelty.ngram4_overlap_share = overlap
    xent = cross_entropy(ck, heldout or tunes)
    table = _table(everything, bands)
    report = {
        "model": {"path": ck.path, "sha256": ck.sha256, "kind": ck.kind,
                  "values": len(ck.vocab) if ck.vocab is not None else None,
                  "train": {"epochs_done": ck.train.epochs_done, "windows": ck.train.windows}, "training_tunes": len(train_tokens)},
        "tunes": [t.source for t in tunes], "charts": [c.title for c in charts], "n": n, "bars": bars,
        "sampling": cfg.to_dict(), "human_pieces": len(pieces),
        "cross_entropy_nats_per_value": xent["nats_per_value"], "coverage": xent["coverage"],
        "cross_entropy_on": "heldout" if heldout else "tunes", "cross_entropy_values": xent["values"],
        "metrics": table, "per_chart": per_chart, "targets": _targets(table, tunes[0], novelty.longest_copy_notes, overlap),
        "distinguishability": _distinguishability(pieces_of(reference, DISTINGUISH_BARS), gens, cfg.seed),
        "events": _events(ck, heldout or tunes, tunes), "novelty": novelty, "speed": _speed(ck, n * len(charts), generating),
    }
    return EvalReport(**report, solos=solos, per_chart_solos=all_solos, human_solos=list(tunes))


def _speed(ck: Checkpoint, solos: int, seconds: float) -> dict:
    """How fast the model is: its solos a second over the charts (n at once, decoding included),
    seconds per training epoch (its file's facts), its weights."""
    f = ck.train
    return {"solos_per_second": round(solos / seconds, 3) if seconds > 0 else None,
            "train_seconds_per_epoch": round(f.seconds / f.epochs_done, 2) if f.epochs_done else None,
            "epochs": f.epochs_done, "weights": ck.weights}


def _over_charts(ck: Checkpoint, charts: list[Chart], bars: int, n: int, cfg: SampleConfig, bands: dict) -> tuple:
    """The model's and each baseline's n solos over every chart: (per-chart tables, the model's
    solos per chart, every source's metric summaries, every source's solos)."""
    per_chart, all_solos, everything, gens = [], [], {s: [] for s in SOURCES}, {s: [] for s in SOURCES}
    for chart in charts:
        t = time.perf_counter()
        model = improvise(ck, chart.chords, bars, n, cfg, beats_per_bar=chart.beats_per_bar, tempo=chart.tempo,
                          sections=chart.sections)
        seconds = time.perf_counter() - t
        gen = {"model": model, **baseline_solos(ck, chart, bars, n, cfg.seed)}
        sums = {s: [M.summary(x.notes, x.chords, x.beats_per_bar, bars) for x in gen[s]] for s in SOURCES}
        for s in SOURCES:
            gens[s] += gen[s]
            everything[s] += sums[s]
        scores = [voice_leading_score(x) for x in sums["model"]]
        per_chart.append({"chart": chart.title, "metrics": _table(sums, bands),
                          "best": int(np.argmax(scores)), "worst": int(np.argmin(scores)),
                          "voice_leading_scores": scores, "generate_seconds": round(seconds, 4)})
        all_solos.append(model)
    return per_chart, all_solos, everything, gens


def _novelty(ck: Checkpoint, solos: list[Solo], train_tokens: list[list[str]], reference: list[Solo]) -> Novelty:
    """How much of the solos is copied: values from the training streams, notes from the
    reference tunes, melodic shapes from the training streams (and from where)."""
    names = [t.get("title", "") for t in ck.train.corpus.get("tunes", [])] or list(ck.train.tunes)
    values = M.CopyIndex(train_tokens)  # one automaton, not solos x streams searches
    copies = [values.longest(s.tokens) for s in solos]
    worst = int(np.argmax(copies)) if copies else 0
    source = values.source(solos[worst].tokens)[1] if solos and train_tokens else None
    ref_events = [M.note_events(t.notes) for t in reference]
    copies_notes = [(r + 1) if r else min(1, len(s.notes))
                    for r, s in zip(M.longest_copies([M.note_events(s.notes) for s in solos], ref_events), solos)]
    train_shapes = [M.value_shapes(t) for t in train_tokens]  # once, not once per solo
    shapes = [M.value_shapes(s.tokens) for s in solos]
    index = M.CopyIndex(train_shapes)
    runs = [index.longest(s) for s in shapes]
    k = int(np.argmax(runs)) if runs else -1
    worst_notes = M.longest_copy_shapes(shapes[k], train_shapes, index) if k >= 0 else (0, -1)  # which stream: one solo
    return Novelty(longest_copy_values=int(max(copies, default=0)), longest_copy_notes=int(max(copies_notes, default=0)),
                   longest_copy_training_notes=int(worst_notes[0]),
                   training_notes_copied_from=names[worst_notes[1]] if 0 <= worst_notes[1] < len(names) else None,
                   copied_from=names[source] if source is not None and source < len(names) else None,
                   copied_passage=_passage(solos[worst].tokens, train_tokens[source]) if source is not None else [])


def _targets(table: dict, original: Solo, copy_notes: int, overlap: float) -> list[Target]:
    """The report's pass/fail lines: the model's solos beside the original tune."""
    whole = M.summary(original.notes, original.chords, original.beats_per_bar, original.n_bars)
    return [
        _target("chord-tone share within ±5 points of the original", table["chord_tone_share"]["model"] - whole["chord_tones"], 0.05),
        _target("scale-tone share within ±5 points of the original", table["scale_tone_share"]["model"] - whole["scale_tones"], 0.05),
        Target(target="H1 within ±0.2 bits of the original", value=round(table["pitch_class_entropy_1bar_bits"]["model"] - whole["H1"], 2),
               unit="bits", ok=abs(table["pitch_class_entropy_1bar_bits"]["model"] - whole["H1"]) <= 0.2),
        Target(target="longest verbatim copy ≤ 8 notes", value=int(copy_notes), unit="notes", ok=copy_notes <= 8),
        Target(target="mean pairwise 4-gram overlap < 30%", value=round(100 * overlap, 1), unit="%", ok=overlap < 0.30),
    ]


def _events(ck: Checkpoint, scored: list[Solo], tunes: list[Solo]) -> dict:
    """events.event_scores, the baselines fitted on the model's training tunes where they are
    still here (else on `tunes`, and the report says so)."""
    training: list = []
    if ck.train.tunes and all(os.path.isfile(p) or "#" in p for p in ck.train.tunes):
        try:  # through the corpus cache: a model's training tunes were encoded (and cached) when it trained
            corpus = prepare(list(ck.train.tunes), jobs=1)
            training = [] if corpus.skipped else corpus.tunes
        except (JazzError, OSError):
            training = []
    out = event_scores(ck, scored, training or tunes)
    if out:
        out["baselines_fitted_on"] = "the model's training tunes" if training else "--tunes (the training tunes are not here)"
    return out


DISTINGUISH_BARS = 8  # pieces the classifier sees


def pieces_of(solos: list[Solo], bars: int) -> list[dict]:
    """The metric summary of every `bars`-bar piece of `solos`."""
    return [M.summary(p.notes, p.chords, p.beats_per_bar, bars) for s in solos for p in segments(s, bars)]


def _distinguishability(human: list[dict], gens: dict, seed: int) -> dict:
    """Per source, the accuracy of a classifier telling its 8-bar pieces from the humans'
    (0.5: indistinguishable; None: fewer than 20 pieces a class)."""
    out = {src: distinguishability(human, pieces_of(gens[src], DISTINGUISH_BARS), list(SHOWN), seed) for src in SOURCES}
    thin = any(v is None for v in out.values())
    out["pieces"] = {"human": len(human), **{src: len(pieces_of(gens[src], DISTINGUISH_BARS)) for src in SOURCES}}
    out["note"] = (f"too thin: at least {MIN_PER_CLASS} pieces of {DISTINGUISH_BARS} bars a class are needed" if thin else
                   "accuracy of a cross-validated logistic regression on each piece's metrics; 0.5 = indistinguishable")
    return out


def _table(sums: dict, bands: dict) -> dict:
    out = {}
    for key, (json_key, _, _) in SHOWN.items():
        row = {s: float(np.mean([x[key] for x in sums[s]])) if sums[s] else None for s in SOURCES}
        row["human"] = bands[key]
        row["model_in_band"] = in_band(row["model"], bands[key]) if row["model"] is not None else None
        out[json_key] = row
    return out


def _passage(a: list, b: list) -> list:
    """The longest run of `a` found in `b`."""
    length, start = M.longest_common_span(a, b)
    return a[start:start + length]


def _target(name: str, diff: float, tol: float) -> Target:
    return Target(target=name, value=round(diff * 100, 1), unit="points", ok=abs(diff) <= tol)
