"""The evaluation report: a terminal table, JSON, and one self-contained HTML file
(plots and piano-roll thumbnails inlined as PNG, audio players as WAV data)."""
from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import asdict, dataclass

import numpy as np

from jazz_lstm.core.charts import chart_bars, format_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import merge_ties
from jazz_lstm.data.corpus import tune_files
from jazz_lstm.eval.evaluate import SHOWN
from jazz_lstm.eval.metrics import tone_shares
from jazz_lstm.grammar import codec as grammar
from jazz_lstm.io.formats import read_tune
from jazz_lstm.render.formats import audio
from jazz_lstm.render.pianoroll import piano_roll_png


@dataclass
class TuneReport:
    """How a tune reads (`jazz-lstm inspect`).  notes: as they sound (a tie continues its
    note).  tempo: quarter notes per minute.  chart: one string per bar.  tokens: the
    grammar's statistics (grammar.stats).  roundtrip: agreement shares 0..1, or None."""

    source: str
    melody_track: str
    notes: int
    time_signature: tuple
    tempo: float
    key: str | None
    n_bars: int
    n_chords: int
    chord_origin: str
    ranking: list
    chart: list
    chart_text: str
    tokens: dict
    roundtrip: dict | None = None

    def to_json(self) -> dict:
        d = asdict(self)
        d["time_signature"] = list(self.time_signature)
        del d["chart_text"]
        return d


def tune_report(solo, roundtrip: bool = False) -> TuneReport:
    """The TuneReport of a Solo (with the grammar round trip when asked)."""
    return TuneReport(solo.source, solo.melody_track, len(merge_ties(solo.notes)), tuple(solo.time_signature), solo.tempo,
                      solo.key, solo.n_bars, len(solo.chords), solo.chord_origin, list(solo.ranking),
                      chart_bars(solo.chords, solo.beats_per_bar), format_chart(solo.chords, solo.beats_per_bar),
                      grammar.stats(grammar.encode(solo)), grammar.roundtrip(solo) if roundtrip else None)


@dataclass(kw_only=True)
class ModelReport:
    """What a model file holds (`jazz-lstm inspect MODEL.safetensors`): its kind and network config,
    weights, and how it was trained (epochs, seconds of wall time, losses in nats per
    `loss_unit`, the data and its licence)."""

    path: str
    sha256: str
    kind: str  # a key of models.base.KINDS
    config: dict  # the network's config (its fields and values)
    weights: int
    loss_unit: str  # "value" or "window"
    epochs: int
    seconds: float
    best_val_loss: float | None  # None: trained without validation
    last_loss: float | None
    tunes: int  # training tunes
    values: int  # training values (the novelty guard's corpus)
    data_source: str
    data_license: str
    device: str
    versions: dict

    def to_json(self) -> dict:
        return asdict(self)


def model_report(ck) -> ModelReport:
    """The ModelReport of a loaded Checkpoint."""
    f = ck.train
    return ModelReport(path=ck.path, sha256=ck.sha256, kind=ck.kind, config=ck.model.cfg.to_dict(), weights=ck.weights,
                       loss_unit=ck.spec.loss_unit, epochs=f.epochs_done, seconds=f.seconds,
                       best_val_loss=min(f.val_losses) if f.val_losses else None,
                       last_loss=f.losses[-1] if f.losses else None, tunes=len(ck.corpus),
                       values=sum(len(s) for s in ck.corpus), data_source=f.data_source, data_license=f.data_license,
                       device=f.device, versions=dict(f.versions))


def model_lines(rep: ModelReport) -> list[str]:
    """The ModelReport as lines of text."""
    cfg = ", ".join(f"{k} {v}" for k, v in rep.config.items())
    val = "" if rep.best_val_loss is None else f", best validation {rep.best_val_loss:.3f}"
    return [f"{rep.path}: a {rep.kind} model, {rep.weights:,} weights (sha256 {rep.sha256[:12]}...)",
            f"network: {cfg}",
            f"trained: {rep.epochs} epochs in {rep.seconds:.0f} s on {rep.device}, {rep.tunes} tunes ({rep.values} values); "
            f"loss {'-' if rep.last_loss is None else f'{rep.last_loss:.3f}'}{val} nats per {rep.loss_unit}",
            f"data: {rep.data_source or 'not named'}" + (f" ({rep.data_license})" if rep.data_license else ""),
            "versions: " + ", ".join(f"{k} {v}" for k, v in rep.versions.items())]


@dataclass
class ListedTune:
    """One tune of a folder or database file, as `inspect FOLDER` lists it: its path, title,
    bars, tempo (quarter notes a minute), metre, chord count and notes; or why it was not read."""

    path: str
    title: str = ""
    bars: int = 0
    tempo: float = 0.0
    metre: str = ""
    chords: int = 0
    notes: int = 0
    error: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def tune_listing(paths: list[str], on_file=None) -> list[ListedTune]:
    """Every tune in `paths` (folders searched, a WJazzD database's solos), read and summed up;
    on_file(done, total) as each is read."""
    files, out = tune_files(paths), []
    for k, f in enumerate(files, 1):
        try:
            solo = read_tune(f)
            num, den = solo.time_signature
            out.append(ListedTune(f, solo.title or solo.source, solo.n_bars, round(solo.tempo, 1), f"{num}/{den}",
                                  len(solo.chords), len(solo.notes)))
        except JazzError as e:
            out.append(ListedTune(f, error=e.message))
        if on_file:
            on_file(k, len(files))
    return out


def tune_tables(rep: TuneReport) -> list:
    """The report as things a rich console prints: a heading, the ranking table, the chart, the grammar."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    num, den = rep.time_signature
    items: list = [Text.from_markup(f"[bold]{escape(rep.source)}[/]  {num}/{den}, {rep.tempo:.0f} bpm, "
                                    f"key {rep.key or '?'}, {rep.n_bars} bars, melody {rep.melody_track} ({rep.notes} notes)")]
    if rep.ranking:
        t = Table(title="Melody candidates (best first)", title_justify="left")
        for col in ("track", "name", "notes", "monophony", "size", "register", "fit", "score"):
            t.add_column(col, justify="left" if col == "name" else "right")
        for r in rep.ranking:
            t.add_row(str(r.index), r.name, str(r.n_notes), *(f"{v:.2f}" for v in (r.monophony, r.count, r.register, r.fit, r.score)))
        items.append(t)
    items.append(Text.from_markup(f"[bold]Chord chart[/] ({rep.chord_origin}, {rep.n_chords} chords)"))
    items.append(Text(rep.chart_text.rstrip("\n")))
    st = rep.tokens
    types = "  ".join(f"{k} {v:.0%}" for k, v in st["types"].items())
    items.append(Text.from_markup(f"[bold]Grammar[/] {st['tokens']} terminals, {st['values']} distinct values; {types}"))
    items.append(Text("most common: " + ", ".join(f"{tok} x{c}" for tok, c in st["top"])))
    rt = rep.roundtrip
    if rt:
        items.append(Text.from_markup(f"[bold]Round trip[/] onset {rt['onset']:.0%}, duration {rt['duration']:.0%}, "
                                      f"type {rt['type']:.0%}, pitch class {rt['pitch_class']:.0%} ({rt['notes']} notes)"))
    return items


def to_json(report) -> str:
    """An evaluate.EvalReport as JSON text."""
    return json.dumps(report.to_json(), indent=1, default=float)


def _fmt_band(b: dict, f) -> str:
    if "p10" in b:
        return f"{f(b['p10'])} - {f(b['p90'])}"
    return f"{f(b['median'])} (band too thin)" if b.get("median") is not None else "-"


def _rows(report):
    """(label, format, row) for each metric of the report, in its order."""
    for _, (key, label, fmt) in SHOWN.items():
        yield label, fmt.format, report.metrics[key]


def terminal_table(report):
    """A rich Table: each metric for the human band, the model and the three baselines."""
    from rich.table import Table

    t = Table(title=f"{report.n} solos x {report.bars} bars over {len(report.charts)} chart(s) vs "
                    f"{report.human_pieces} human pieces of the same length", title_justify="left")
    for col in ("metric", "human (p10-p90)", "model", "shuffle", "unigram", "bigram"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for label, f, r in _rows(report):
        mark = {True: "", False: " [red]out[/]", None: ""}[r["model_in_band"]]
        t.add_row(label, _fmt_band(r["human"], f), f(r["model"]) + mark, f(r["shuffle"]), f(r["unigram"]), f(r["bigram"]))
    return t


def distinguishability_line(report) -> str:
    d = report.distinguishability or {}
    if not d:
        return "distinguishability: not measured"
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    return ("distinguishability from the human 8-bar pieces (0.5 = indistinguishable): "
            + ", ".join(f"{src} {fmt(d.get(src))}" for src in ("model", "shuffle", "unigram", "bigram"))
            + ("" if all(d.get(s) is not None for s in ("model", "shuffle", "unigram", "bigram")) else f" ({d.get('note', '')})"))


def events_line(report) -> str:
    e = report.events or {}
    if not e:
        return "nats per event: not defined for this model (a recipe value does not fix the pitch)"
    x = e["nats_per_event"]
    return (f"nats per event ({e['events']} notes and rests, coverage {e['event_coverage']:.0%}): model {x['model']:.2f}, "
            f"unigram {x['unigram']:.2f}, bigram {x['bigram']:.2f}; next pitch {e['next_pitch_accuracy']:.1%}, "
            f"next duration {e['next_duration_accuracy']:.1%} (top-1)")


def speed_line(report) -> str:
    v = report.speed or {}
    if not v:
        return "speed: not measured"
    fmt = lambda x, f: "-" if x is None else format(x, f)  # noqa: E731
    return (f"speed: {fmt(v.get('solos_per_second'), '.2f')} solos of {report.bars} bars a second ({report.n} at once, "
            f"decoding included); training {fmt(v.get('train_seconds_per_epoch'), '.1f')} s an epoch; "
            f"{fmt(v.get('weights'), ',')} weights")


def cross_entropy_line(report) -> str:
    x = report.cross_entropy_nats_per_value
    return (f"cross-entropy on {report.cross_entropy_on} ({report.cross_entropy_values} values, "
            f"coverage {report.coverage:.0%}): model {x['model']:.2f}, unigram {x['unigram']:.2f}, "
            f"bigram {x['bigram']:.2f} nats per value")


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _plots(report, tunes, solos) -> list[str]:
    from matplotlib.figure import Figure

    human = [n for t in tunes for n in t.notes]
    gen = [n for s in solos for n in s.notes]
    out = []
    fig = Figure(figsize=(16, 3.2))
    axes = fig.subplots(1, 4)
    hs = {k: np.mean([tone_shares(t.notes, t.chords)[k] for t in tunes]) for k in "CSAX"}
    gs = {k: np.mean([tone_shares(s.notes, s.chords)[k] for s in solos]) for k in "CSAX"}
    x = np.arange(4)
    axes[0].bar(x - 0.2, list(hs.values()), 0.4, label="human")
    axes[0].bar(x + 0.2, list(gs.values()), 0.4, label="generated")
    axes[0].set_xticks(x, ["chord", "scale", "approach", "other"])
    axes[0].set_title("tone types")
    axes[0].legend()
    for ax, data, title, bins in (
            (axes[1], ([n.pitch for n in human], [n.pitch for n in gen]), "pitch", np.arange(30, 100, 2)),
            (axes[2], ([b.pitch - a.pitch for a, b in zip(human, human[1:])], [b.pitch - a.pitch for s in solos for a, b in zip(s.notes, s.notes[1:])]),
             "interval (semitones)", np.arange(-14.5, 15.5, 1)),
            (axes[3], ([n.duration for n in human], [n.duration for n in gen]), "duration (beats)", np.linspace(0, 2, 25))):
        ax.hist(data[0], bins=bins, density=True, alpha=0.55, label="human")
        ax.hist(data[1], bins=bins, density=True, alpha=0.55, label="generated")
        ax.set_title(title)
    fig.tight_layout()
    out.append(_png(fig))
    keys = [("approach_resolution_share", "approach resolved"), ("chord_tone_at_change_share", "chord tone at change"),
            ("guide_tone_at_change_share", "3rd/7th at change"), ("strong_beat_chord_tone_share", "chord tone, beats 1+3")]
    fig = Figure(figsize=(10, 3.2))
    ax = fig.subplots()
    x = np.arange(len(keys))
    for k, src in enumerate(("human", "model", "shuffle", "unigram", "bigram")):
        vals = [report.metrics[key][src]["median"] if src == "human" else report.metrics[key][src] for key, _ in keys]
        ax.bar(x + (k - 2) * 0.16, [v if v is not None else 0 for v in vals], 0.16, label=src)
    ax.set_xticks(x, [label for _, label in keys])
    ax.set_title("voice leading: the model beside the baselines and the human median")
    ax.legend(fontsize=8)
    out.append(_png(fig))
    return out


def _audio(solo, bars: int = 8) -> str:
    """A small WAV to inline: the first `bars` bars, mono, 22 kHz."""
    import wave

    data, _ = audio(solo.excerpt(0.0, bars * solo.beats_per_bar))
    with wave.open(io.BytesIO(data)) as w:
        ch, frames = w.getnchannels(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    mono = frames.reshape(-1, ch).astype(np.int32).mean(1)
    mono = mono[: len(mono) // 2 * 2].reshape(-1, 2).mean(1).astype(np.int16)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(mono.tobytes())
    return base64.b64encode(buf.getvalue()).decode()


def to_html(report, tunes=None, audio_players: int = 3, thumbnails: int = 4) -> str:
    """One self-contained HTML page: targets, the metrics table (model, baselines, human band),
    plots, and per chart the best and worst solo by the voice-leading score."""
    solos, tunes = report.solos, tunes if tunes is not None else report.human_solos
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(label)}</td><td>{esc(_fmt_band(r['human'], f))}</td>"
        f"<td class={ {False: 'no', True: 'ok', None: 'na'}[r['model_in_band']]}>{f(r['model'])}</td>"
        f"<td>{f(r['shuffle'])}</td><td>{f(r['unigram'])}</td><td>{f(r['bigram'])}</td></tr>"
        for label, f, r in _rows(report))
    targets = "".join(f"<li class={'ok' if t.ok else 'no'}>{'✓' if t.ok else '✗'} {esc(t.target)}: "
                      f"{t.value} {esc(t.unit)}</li>" for t in report.targets)
    nov = report.novelty
    extra = (f"<p>Longest verbatim copy of the training values: {nov.longest_copy_values} values"
             + (f" (from <i>{esc(str(nov.copied_from))}</i>: <code>{esc(' '.join(nov.copied_passage))}</code>)"
                if nov.copied_from else "")
             + f"; in notes, of everything it trained on: {nov.longest_copy_training_notes} notes"
             + (f" (from <i>{esc(str(nov.training_notes_copied_from))}</i>)" if nov.training_notes_copied_from else "")
             + f"; of the reference melodies: {nov.longest_copy_notes} notes. Mean pairwise 4-gram overlap among the "
             f"solos over the first chart: {nov.ngram4_overlap_share:.1%}.</p><p>{esc(cross_entropy_line(report))}.</p><p>{esc(distinguishability_line(report))}.</p><p>{esc(events_line(report))}.</p><p>{esc(speed_line(report))}.</p>")
    plots = "".join(f'<img src="data:image/png;base64,{p}">' for p in _plots(report, tunes, solos))
    figures = []
    for chart, group in zip(report.per_chart, report.per_chart_solos):
        for which in ("best", "worst"):
            i = chart[which]
            s = group[i]
            png = base64.b64encode(piano_roll_png(s, f"{which}: solo {i + 1}", dpi=60)).decode()
            figures.append(f"<figure><figcaption>{esc(chart['chart'])} — {which} by voice leading "
                           f"(score {chart['voice_leading_scores'][i]:.2f})</figcaption><img src=\"data:image/png;base64,{png}\">"
                           + (f'<audio controls src="data:audio/wav;base64,{_audio(s)}"></audio>' if len(figures) < audio_players else "")
                           + "</figure>")
        if len(figures) >= 2 * thumbnails:
            break
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>jazz-lstm evaluation</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1300px}}table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}}td:first-child{{text-align:left}}
.ok{{color:#1b7f3b}}.no{{color:#b3261e}}img{{max-width:100%}}figure{{margin:1em 0}}</style></head><body>
<h1>jazz-lstm evaluation</h1><p><small>Audio: the first 8 bars.</small></p>
<p>Model <code>{esc(str(report.model['path']))}</code> ({esc(report.model['kind'])}, sha256 {report.model['sha256'][:12]}…),
{report.n} solos of {report.bars} bars over {len(report.charts)} chart(s); sampling {esc(json.dumps(report.sampling))}.</p>
<h2>Targets</h2><ul>{targets}</ul>
<h2>Metrics: model, baselines and the human band</h2>
<table><tr><th>metric</th><th>human (p10–p90)</th><th>model</th><th>shuffle</th><th>unigram</th><th>bigram</th></tr>{rows}</table>
{extra}<h2>Distributions</h2>{plots}<h2>Best and worst solos</h2>{"".join(figures)}</body></html>"""
