"""The evaluation report: a terminal table, JSON, and one self-contained HTML file
(plots and piano-roll thumbnails inlined as PNG, audio players as WAV data)."""
from __future__ import annotations

import base64
import html
import io
import json

import numpy as np


def to_json(report: dict) -> str:
    return json.dumps({k: v for k, v in report.items() if not k.startswith("_")}, indent=1, default=float)


def terminal_table(report: dict):
    """A rich Table of metric, human band, original, generated and whether it is in band."""
    from rich.table import Table

    t = Table(title=f"{report['n']} solos x {report['bars']} bars vs {report['human_pieces']} human pieces of the same length",
              title_justify="left")
    for col in ("metric", "human band (p10-p90)", "original", "generated mean (min-max)", "in band"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for r in report["rows"]:
        f = r["format"].format
        h, g = r["human"], r["generated"]
        t.add_row(r["label"], f"{f(h['low'])} - {f(h['high'])}", f(r["original"]),
                  f"{f(g['mean'])} ({f(g['min'])}-{f(g['max'])})", "yes" if r["in_band"] else "[red]no[/]")
    return t


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _plots(report: dict, tunes, solos) -> list[str]:
    from matplotlib.figure import Figure

    from .metrics import tone_shares

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
    return out


def _audio(solo, bars: int = 8) -> str:
    """A small WAV to inline: the first `bars` bars, mono, 22 kHz."""
    import wave

    from .render import audio

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


def to_html(report: dict, tunes, audio_players: int = 3, thumbnails: int = 4) -> str:
    """One self-contained HTML page: targets, the metrics table, plots, thumbnails, audio."""
    from .pianoroll import piano_roll_png

    solos = report["_solos"]
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(r['label'])}</td><td>{r['format'].format(r['human']['low'])} – {r['format'].format(r['human']['high'])}</td>"
        f"<td>{r['format'].format(r['original'])}</td><td>{r['format'].format(r['generated']['mean'])} "
        f"<small>({r['format'].format(r['generated']['min'])}–{r['format'].format(r['generated']['max'])})</small></td>"
        f"<td class={'ok' if r['in_band'] else 'no'}>{'in band' if r['in_band'] else 'outside'}</td></tr>" for r in report["rows"])
    targets = "".join(f"<li class={'ok' if t['ok'] else 'no'}>{'✓' if t['ok'] else '✗'} {esc(t['target'])}: "
                      f"{t['value']:.2f} {t.get('unit', '')}</li>" for t in report["targets"])
    nov = report["novelty"]
    extra = (f"<p>Longest verbatim copy of the training melodies: {max(nov['longest_copy_notes'])} notes, "
             f"{max(nov['longest_copy_tokens'])} grammar values. Mean pairwise 4-gram overlap among the {report['n']} solos: "
             f"{nov['ngram4_overlap']:.1%}. Model cross-entropy on its training tunes: {report['train_fit']['cross_entropy']:.2f} nats/value "
             f"(perplexity {report['train_fit']['perplexity']:.1f})")
    if report.get("heldout"):
        h = report["heldout"]
        extra += f"; on held-out tunes: {h['cross_entropy']:.2f} (perplexity {h['perplexity']:.1f}, {h['coverage']:.0%} of values known)"
    extra += ".</p>"
    plots = "".join(f'<img src="data:image/png;base64,{p}">' for p in _plots(report, tunes, solos))
    thumbs = "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(piano_roll_png(s, f"solo {i + 1}", dpi=60)).decode()}">'
        + (f'<audio controls src="data:audio/wav;base64,{_audio(s)}"></audio>' if i < audio_players else "")
        + "</figure>" for i, s in enumerate(solos[:thumbnails]))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>jazz-lstm evaluation</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1300px}}table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}}td:first-child{{text-align:left}}
.ok{{color:#1b7f3b}}.no{{color:#b3261e}}img{{max-width:100%}}figure{{margin:1em 0}}</style></head><body>
<h1>jazz-lstm evaluation</h1><p><small>Audio: the first 8 bars of the first solos.</small></p>
<p>Model <code>{esc(str(report['model']['path']))}</code> ({report['model']['values']} values, sha256 {report['model']['sha256'][:12]}…),
{report['n']} solos of {report['bars']} bars over the changes of <code>{esc(report['tunes'][0])}</code>; sampling {esc(json.dumps(report['sampling']))}.</p>
<h2>Targets</h2><ul>{targets}</ul>
<h2>Metrics: generated vs the human band</h2>
<table><tr><th>metric</th><th>human band (p10–p90)</th><th>original</th><th>generated mean (min–max)</th><th></th></tr>{rows}</table>
{extra}<h2>Distributions</h2>{plots}<h2>Solos</h2>{thumbs}</body></html>"""
