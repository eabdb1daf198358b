"""How good is a model?  Its solos' metrics beside the band of the human solos it
learned from, novelty (longest copy) and diversity (4-gram overlap), and the
cross-entropy on tunes it did not train on.

    report = evaluate(ck, [read_tune("tune.mid")], n=20)
"""
from __future__ import annotations

import numpy as np

from . import grammar
from . import metrics as M
from .checkpoint import Checkpoint
from .errors import JazzError
from .generate import improvise
from .music import Solo
from .sample import SampleConfig

# metric -> (label, format); the order of the report
SHOWN = {
    "chord_tones": ("chord-tone share", "{:.0%}"), "scale_tones": ("scale-tone share", "{:.0%}"),
    "approach_tones": ("approach share", "{:.0%}"), "other_tones": ("other share", "{:.0%}"),
    "chord_tones_time": ("chord tones, by time", "{:.0%}"), "H1": ("pitch-class entropy H1 (bits)", "{:.2f}"),
    "H4": ("pitch-class entropy H4 (bits)", "{:.2f}"), "GS": ("grooving similarity GS", "{:.2f}"),
    "pitch_range": ("pitch range (semitones)", "{:.0f}"), "mean_abs_interval": ("mean |interval| (semitones)", "{:.2f}"),
    "notes_per_bar": ("notes per bar", "{:.1f}"), "empty_beats": ("empty-beat rate", "{:.0%}"),
}


def segments(tune: Solo, bars: int) -> list[Solo]:
    """The tune cut into `bars`-bar pieces (times from 0), pieces with under 4 notes left out."""
    span = bars * tune.beats_per_bar
    out = []
    for k in range(int(np.ceil(tune.length_beats / span))):
        piece = tune.excerpt(k * span, (k + 1) * span)
        if len(piece.notes) >= 4 and piece.chords:
            out.append(piece)
    return out


def _band(values: list[float]) -> dict:
    v = np.asarray(values, dtype=float)
    lo, hi = (np.percentile(v, 10), np.percentile(v, 90)) if v.size >= 5 else (v.min(), v.max())
    return {"low": float(lo), "high": float(hi), "median": float(np.median(v))}


def heldout_cross_entropy(ck: Checkpoint, tunes: list[Solo], Tx: int = 30) -> dict:
    """Mean cross-entropy (nats per value) and perplexity of the model on these tunes,
    in windows of Tx from the zero state as in training; values outside the model's
    vocabulary cannot be scored and are counted in `coverage`."""
    import torch

    streams = [[ck.vocab.stoi.get(v, -1) for v in grammar.encode(t)] for t in tunes]
    known = sum(i >= 0 for s in streams for i in s)
    total = sum(len(s) for s in streams)
    nll, count = 0.0, 0
    with torch.no_grad():
        for s in streams:
            for a in range(0, max(1, len(s) - 1), Tx):
                win = s[a:a + Tx]
                if len(win) < 2:
                    continue
                x = torch.tensor([ck.model.start_id] + [max(i, 0) for i in win[1:-1]])[:, None]
                y = torch.tensor(win[1:])
                logp = ck.model(x, time_major=True)[0][:, 0].log_softmax(-1)
                ok = y >= 0
                nll -= float(logp[ok.nonzero()[:, 0], y[ok]].sum())
                count += int(ok.sum())
    mean = nll / count if count else float("nan")
    return {"cross_entropy": mean, "perplexity": M.perplexity(mean) if count else float("nan"),
            "coverage": known / total if total else 0.0, "values": total}


def evaluate(ck: Checkpoint, tunes: list[Solo], n: int = 20, bars: int = 32, cfg: SampleConfig | None = None,
             heldout: list[Solo] | None = None) -> dict:
    """Metrics of `n` solos generated over the first tune's changes beside the human
    band (the tunes cut into pieces as long as the solos), with targets checked."""
    if n < 1:
        raise JazzError(f"--n must be >= 1 (got {n})")
    if not tunes or not any(t.notes for t in tunes):
        raise JazzError("no melody to compare with")
    cfg = cfg or SampleConfig()
    tune = tunes[0]
    bars = max(1, min(bars, tune.n_bars))
    pieces = [p for t in tunes for p in segments(t, bars)] or [tune]
    human = [M.summary(p.notes, p.chords, p.beats_per_bar, bars) for p in pieces]
    solos = improvise(ck, tune.chords, bars, n, cfg, beats_per_bar=tune.beats_per_bar, tempo=tune.tempo)
    gen = [M.summary(s.notes, s.chords, s.beats_per_bar, bars) for s in solos]
    train_tokens = [ck.vocab.decode(s) for s in ck.corpus] or [grammar.encode(t) for t in tunes]
    copies_notes = [M.longest_copy_notes(s.notes, [t.notes for t in tunes]) for s in solos]
    copies_tokens = [M.longest_copy_tokens(s.tokens, train_tokens) for s in solos]
    overlap = M.ngram_overlap([s.tokens for s in solos], 4)
    whole = M.summary(tune.notes, tune.chords, tune.beats_per_bar, tune.n_bars)
    rows = []
    for key, (label, fmt) in SHOWN.items():
        band, vals = _band([h[key] for h in human]), [g[key] for g in gen]
        mean = float(np.mean(vals))
        rows.append({"metric": key, "label": label, "format": fmt, "human": band, "original": whole[key],
                     "generated": {"mean": mean, "min": float(min(vals)), "max": float(max(vals))},
                     "in_band": band["low"] - 1e-9 <= mean <= band["high"] + 1e-9})
    gmean = {r["metric"]: r["generated"]["mean"] for r in rows}
    targets = [
        _target("chord-tone share within ±5 points of the original", gmean["chord_tones"] - whole["chord_tones"], 0.05, pct=True),
        _target("scale-tone share within ±5 points of the original", gmean["scale_tones"] - whole["scale_tones"], 0.05, pct=True),
        _target("H1 within ±0.2 bits of the original", gmean["H1"] - whole["H1"], 0.2),
        {"target": "longest verbatim copy ≤ 8 notes", "value": max(copies_notes), "ok": max(copies_notes) <= 8},
        {"target": "mean pairwise 4-gram overlap < 30%", "value": overlap, "ok": overlap < 0.30},
    ]
    report = {
        "model": {"path": ck.path, "sha256": ck.sha256, "values": len(ck.vocab), "train": {k: ck.train.get(k) for k in ("tunes", "epochs_done", "windows")}},
        "tunes": [t.source for t in tunes], "n": n, "bars": bars, "sampling": cfg.to_dict(), "human_pieces": len(pieces),
        "rows": rows, "targets": targets,
        "novelty": {"longest_copy_notes": copies_notes, "longest_copy_tokens": copies_tokens, "ngram4_overlap": overlap},
        "heldout": heldout_cross_entropy(ck, heldout) if heldout else None,
        "train_fit": heldout_cross_entropy(ck, tunes),
    }
    report["_solos"] = solos  # for the HTML report; not serialized
    return report


def _target(name: str, diff: float, tol: float, pct: bool = False) -> dict:
    return {"target": name, "value": diff * (100 if pct else 1), "unit": "points" if pct else "bits", "ok": abs(diff) <= tol}
