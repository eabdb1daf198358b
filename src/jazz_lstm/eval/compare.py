"""Several models on the same held-out tunes and charts, one report (`jazz-lstm evaluate -m A -m B`):
each model evaluated as `evaluate` does (the same tunes, charts, seed and sampling), then set side by
side -- nats per event and per value, the voice-leading and phrasing metrics, distinguishability,
copying, speed -- as a terminal table, JSON and one HTML page.

    cmp = compare([load("lstm.safetensors"), load("tf.safetensors")], tunes, n=10, heldout=held)
    print(cmp.to_json()["rows"][0])
"""
from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Solo
from jazz_lstm.eval.evaluate import SHOWN, EvalReport, evaluate, expand_tunes, in_band, training_tunes_here
from jazz_lstm.models.base import Checkpoint
from jazz_lstm.models.sample import SampleConfig


def _get(*path):
    def read(r: EvalReport):
        v = getattr(r, path[0])
        for k in path[1:]:
            v = (v or {}).get(k) if isinstance(v, dict) else getattr(v, k, None)
        return v
    return read


# (label, how to read it off a report, format, which way is better: "low", "high", "half" (nearest 0.5) or "")
ROWS = [
    ("nats per event (held out)", _get("events", "nats_per_event", "model"), "{:.3f}", "low"),
    ("nats per value (held out)", _get("cross_entropy_nats_per_value", "model"), "{:.3f}", "low"),
    ("next pitch, top-1", _get("events", "next_pitch_accuracy"), "{:.1%}", "high"),
    ("next duration, top-1", _get("events", "next_duration_accuracy"), "{:.1%}", "high"),
    ("distinguishability (0.5 = human)", _get("distinguishability", "model"), "{:.2f}", "half"),
    ("longest copy (training values)", _get("novelty", "longest_copy_values"), "{:d}", "low"),
    ("longest copy (training notes)", _get("novelty", "longest_copy_training_notes"), "{:d}", "low"),
    ("4-gram overlap between solos", _get("novelty", "ngram4_overlap_share"), "{:.1%}", "low"),
    ("solos per second", _get("speed", "solos_per_second"), "{:.2f}", "high"),
    ("training seconds per epoch", _get("speed", "train_seconds_per_epoch"), "{:.1f}", "low"),
    ("weights", _get("speed", "weights"), "{:,}", ""),
]


@dataclass(kw_only=True)
class Comparison:
    """Models evaluated on the same tunes and charts.  names: a label per model (its file name);
    reports: each model's EvalReport; the baselines and the human band come from the first."""

    names: list[str]
    reports: list[EvalReport] = field(repr=False)

    def rows(self) -> list[dict]:
        """Every compared figure: label, one value per model, which way is better, the best model's
        name; then each metric of SHOWN with the human band (p10/p90) beside it."""
        out = []
        for label, read, fmt, better in ROWS:
            vals = [read(r) for r in self.reports]
            out.append({"figure": label, "values": vals, "better": better, "best": self._best(vals, better),
                        "format": fmt})
        for _, (key, label, fmt) in SHOWN.items():
            vals = [r.metrics[key]["model"] for r in self.reports]
            human = self.reports[0].metrics[key]["human"]
            ok = [in_band(v, human) if v is not None else None for v in vals]
            out.append({"figure": label, "values": vals, "better": "band", "human": human, "in_band": ok,
                        "best": None, "format": fmt})
        return out

    def _best(self, vals: list, better: str):
        known = [(v, name) for v, name in zip(vals, self.names) if v is not None]
        if len(known) < 2 or not better:
            return None
        key = {"low": lambda t: t[0], "high": lambda t: -t[0], "half": lambda t: abs(t[0] - 0.5)}[better]
        ranked = sorted(known, key=key)
        return None if key(ranked[0]) == key(ranked[1]) else ranked[0][1]

    def to_json(self) -> dict:
        return {"models": list(self.names), "rows": [{k: v for k, v in r.items() if k != "format"} for r in self.rows()],
                "reports": [r.to_json() for r in self.reports]}

    @classmethod
    def from_json(cls, data) -> Comparison:
        if not isinstance(data, dict) or not isinstance(data.get("models"), list) or not isinstance(data.get("reports"), list):
            raise ValueError("not a model comparison (models and reports missing)")
        if len(data["models"]) != len(data["reports"]):
            raise ValueError("a model comparison names as many models as it holds reports")
        return cls(names=[str(n) for n in data["models"]], reports=[EvalReport.from_json(r) for r in data["reports"]])


def labels(paths: list[str]) -> list[str]:
    """A short label per model file: its name, or its path where two names are the same."""
    names = [os.path.basename(p) or p for p in paths]
    out = [p if names.count(n) > 1 else n for p, n in zip(paths, names)]
    return [f"{n} ({out[:i].count(n) + 1})" if out.count(n) > 1 else n for i, n in enumerate(out)]  # a file given twice


def compare(cks: list[Checkpoint], tunes: list[Solo], n: int = 20, bars: int = 32, cfg: SampleConfig | None = None,
            heldout: list[Solo] | None = None, reference: list[Solo] | None = None,
            charts: list[Chart] | None = None, on_model=None) -> Comparison:
    """evaluate() each model on the same tunes, charts, held-out tunes and sampling settings.
    on_model(i, name): told as each model starts."""
    if len(cks) < 2:
        raise JazzError("a comparison needs two or more models (-m A -m B)", field="model")
    names = labels([ck.path or f"model {i + 1}" for i, ck in enumerate(cks)])
    reports = []
    for i, (ck, name) in enumerate(zip(cks, names)):
        if on_model:
            on_model(i, name)
        reports.append(evaluate(ck, tunes, n, bars, cfg, heldout, reference, charts))
    return Comparison(names=names, reports=reports)


def compare_files(cks: list[Checkpoint], tunes: list[str] | None, n: int = 20, bars: int = 32,
                  cfg: SampleConfig | None = None, heldout: list[str] | None = None, reference: list[str] | None = None,
                  charts: list[Chart] | None = None, on_model=None) -> Comparison:
    """compare() on files and folders; the tunes default to the first model's training tunes."""
    names = list(tunes or []) or training_tunes_here(cks[0])
    return compare(cks, expand_tunes(names), n, bars, cfg, expand_tunes(heldout), expand_tunes(reference), charts,
                   on_model)


def _fmt(row: dict, v) -> str:
    if v is None:
        return "-"
    return row["format"].format(int(v) if row["format"] in ("{:d}", "{:,}") else v)


def comparison_table(c: Comparison):
    """A rich Table: a row per figure, a column per model (the best in bold), the human band for metrics."""
    from rich.table import Table

    r0 = c.reports[0]
    t = Table(title=f"{len(c.names)} models, {r0.n} solos x {r0.bars} bars over {len(r0.charts)} chart(s); held out: "
                    f"{r0.cross_entropy_on}", title_justify="left")
    t.add_column("figure")
    for name in c.names:
        t.add_column(name, justify="right")
    t.add_column("human (p10-p90)", justify="right")
    for row in c.rows():
        cells = []
        for k, (name, v) in enumerate(zip(c.names, row["values"])):
            text = _fmt(row, v)
            if row["best"] == name:
                text = f"[bold]{text}[/]"
            if row.get("in_band") and row["in_band"][k] is False:
                text += " [red]out[/]"
            cells.append(text)
        human = row.get("human")
        band = "-" if not human else (f"{_fmt(row, human['p10'])} - {_fmt(row, human['p90'])}" if "p10" in human
                                      else f"{_fmt(row, human.get('median'))} (thin)")
        t.add_row(row["figure"], *cells, band)
    return t


def comparison_html(c: Comparison) -> str:
    """One self-contained HTML page: the comparison table, and each model's file and sampling."""
    esc = html.escape
    head = "".join(f"<th>{esc(n)}</th>" for n in c.names)
    body = []
    for row in c.rows():
        cells = "".join(f"<td class={'best' if row['best'] == n else ''}>{esc(_fmt(row, v))}</td>"
                        for n, v in zip(c.names, row["values"]))
        human = row.get("human")
        band = "" if not human or "p10" not in human else f"{_fmt(row, human['p10'])} – {_fmt(row, human['p90'])}"
        body.append(f"<tr><td>{esc(row['figure'])}</td>{cells}<td>{esc(band)}</td></tr>")
    models = "".join(f"<li><code>{esc(str(r.model['path']))}</code>: {esc(str(r.model['kind']))} model, sha256 "
                     f"{esc(str(r.model['sha256'])[:12])}…</li>" for r in c.reports)
    r0 = c.reports[0]
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>jazz-lstm: models compared</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}}td:first-child{{text-align:left}}
.best{{font-weight:bold;color:#1b7f3b}}</style></head><body>
<h1>Models compared</h1><ul>{models}</ul>
<p>{r0.n} solos of {r0.bars} bars per model over {len(r0.charts)} chart(s); scored on {esc(r0.cross_entropy_on)}
({r0.cross_entropy_values} values); sampling {esc(json.dumps(r0.sampling))}. Bold: the better model on that figure.</p>
<table><tr><th>figure</th>{head}<th>human (p10–p90)</th></tr>{"".join(body)}</table></body></html>"""
