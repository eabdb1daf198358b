"""The piano roll: melody notes coloured by grammar type, comping and bass fainter,
chord symbols along the top, bar lines and numbers.  matplotlib (no pyplot) only here."""
from __future__ import annotations

import io

from jazz_lstm.core.arrangement import accompaniment
from jazz_lstm.core.harmony import tone_type
from jazz_lstm.core.music import Solo

COLOURS = {"C": "#1f77b4", "S": "#2ca02c", "A": "#ff7f0e", "X": "#d62728"}
LABELS = {"C": "chord tone", "S": "scale tone", "A": "approach", "X": "other"}


BARS_PER_PAGE = 64  # eight rows of eight bars: one picture a person can read


def piano_roll_pages(solo: Solo, title: str = "", accompany: bool = True, bars_per_page: int = BARS_PER_PAGE) -> list[bytes]:
    """The piano roll as pages of `bars_per_page` bars (one PNG each), not one endless image."""
    bars = solo.n_bars
    if bars <= bars_per_page:
        return [piano_roll_png(solo, title, accompany)]
    pages, span = -(-bars // bars_per_page), bars_per_page * solo.beats_per_bar
    return [piano_roll_png(solo.excerpt(k * span, (k + 1) * span), f"{title} (page {k + 1}/{pages})", accompany,
                           first_bar=k * bars_per_page) for k in range(pages)]


def piano_roll_png(solo: Solo, title: str = "", accompany: bool = True, dpi: int = 100, bars_per_row: int = 8,
                   first_bar: int = 0) -> bytes:
    """PNG bytes of the piano roll, `bars_per_row` bars to a row like a lead sheet; bar
    numbers start at first_bar + 1."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    bpb, bars = solo.beats_per_bar, solo.n_bars
    rows = -(-bars // bars_per_row)
    per_row = min(bars, bars_per_row)
    from matplotlib.figure import Figure  # no pyplot: thread-safe, for the web studio

    fig = Figure(figsize=(2.0 + 1.75 * per_row, 0.6 + 2.6 * rows), dpi=dpi)
    axes = fig.subplots(rows, 1, squeeze=False)
    pitches = [n.pitch for n in solo.notes] or [60]
    lo, hi = min(pitches) - 3, max(pitches) + 4
    comp, bass = accompaniment(solo.chords, bpb) if accompany and solo.chords else ([], [])
    lo = min([lo] + [p for p, *_ in comp + bass])
    by_type: dict = {t: [] for t in COLOURS}
    for n in solo.notes:
        chord = solo.chord_at(n.start)
        by_type[tone_type(n.pitch, chord) if chord else "C"].append((n.start, n.pitch, n.duration))
    for r, ax in enumerate(axes[:, 0]):
        x0, x1 = r * per_row * bpb, (r + 1) * per_row * bpb
        for notes, colour in ((comp, "#9e9e9e"), (bass, "#8d6e63")):
            ax.add_collection(PatchCollection([Rectangle((s, p - 0.4), d, 0.8) for p, s, d, _ in notes if x0 <= s < x1],
                                              facecolor=colour, alpha=0.35, edgecolor="none"))
        for t, notes in by_type.items():
            rects = [Rectangle((s, p - 0.45), d, 0.9) for s, p, d in notes if x0 <= s < x1]
            ax.add_collection(PatchCollection(rects, facecolor=COLOURS[t], edgecolor="black", linewidth=0.4))
        for b in range(r * per_row, min(bars, (r + 1) * per_row) + 1):
            ax.axvline(b * bpb, color="#555555", linewidth=0.8, zorder=0)
            if b < min(bars, (r + 1) * per_row):
                ax.text(b * bpb + 0.08, lo + 0.2, str(first_bar + b + 1), fontsize=7, color="#555555", va="bottom")
        for c in solo.chords:
            if x0 <= c.start < x1:
                ax.text(c.start + 0.05, hi + 0.6, c.symbol.replace("b", "\u266d").replace("#", "\u266f"),
                        fontsize=9, fontweight="bold", va="bottom", clip_on=False)
        ax.set_xlim(x0, x1)
        ax.set_ylim(lo - 0.5, hi + 0.5)
        ax.set_ylabel("pitch", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", color="#eeeeee", linewidth=0.5)
    axes[0, 0].set_title(title or "solo", loc="left", fontsize=11, pad=22)
    handles = [Patch(color=COLOURS[t], label=LABELS[t]) for t in COLOURS]
    axes[0, 0].legend(handles=handles, loc="lower right", fontsize=7, ncol=4, bbox_to_anchor=(1.0, 1.08), frameon=False)
    axes[-1, 0].set_xlabel("beats", fontsize=8)
    top = 1 - 0.75 / (0.6 + 2.6 * rows)  # room for the title, legend and chord symbols (no tight_layout: it draws twice)
    fig.subplots_adjust(left=0.5 / fig.get_figwidth(), right=1 - 0.15 / fig.get_figwidth(), top=top,
                        bottom=0.5 / (0.6 + 2.6 * rows), hspace=0.35)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
