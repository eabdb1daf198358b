"""A whole solo: sample values bar by bar over a chord chart, decode them into notes.

    ck = checkpoint.load("model.safetensors")
    solos = improvise(ck, parse_chart(BLUES_12), n=4, cfg=SampleConfig(seed=7))
"""
from __future__ import annotations

import math
import random

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Chord, Provenance, Solo
from jazz_lstm.grammar.codec import decode
from jazz_lstm.models.base import Checkpoint
from jazz_lstm.models.sample import SampleConfig


def chart_span(chords: list[Chord], beats_per_bar: float) -> tuple[float, int]:
    """(beat where the chart's first bar starts, how many bars the chart lasts)."""
    origin = (chords[0].start // beats_per_bar) * beats_per_bar
    return origin, max(1, math.ceil((max(c.end for c in chords) - origin) / beats_per_bar - 1e-9))


def loop_chords(chords: list[Chord], bars: int, beats_per_bar: float) -> list[Chord]:
    """The chart repeated (chorus after chorus) or cut to exactly `bars` bars."""
    if not chords:
        raise JazzError("no chords to improvise over")
    origin, chart_bars = chart_span(chords, beats_per_bar)
    length = chart_bars * beats_per_bar
    total = bars * beats_per_bar
    out, k = [], 0
    while k * length < total:
        for c in chords:
            s = c.start - origin + k * length
            if s >= total:
                break
            out.append(c.at(s, min(c.duration, total - s)))
        k += 1
    return out


def loop_sections(sections, chords: list[Chord], bars: int, beats_per_bar: float) -> list[float]:
    """The form's section starts (beats, as in the chart) through the same choruses as loop_chords."""
    origin, chart_bars = chart_span(chords, beats_per_bar)
    length, total = chart_bars * beats_per_bar, bars * beats_per_bar
    one = sorted({b - origin for b in sections if 0 <= b - origin < length})
    return [b + k * length for k in range(int(total // length) + 1) for b in one if b + k * length < total]


DEFAULT_BARS = 32  # a chart longer than MAX_FORM_BARS (a transcribed solo's changes, not a form) plays this many
MAX_FORM_BARS = 64  # without --bars: a chart up to this long plays its whole form once (All the Things You Are: 36)


def plan_bars(chords: list[Chord], bars: int | None, beats_per_bar: float, choruses: int | None = None) -> int:
    """How long a solo will be: `bars`; else `choruses` times the chart's form; else the form once
    (up to MAX_FORM_BARS bars; a longer chart, DEFAULT_BARS)."""
    form = chart_span(chords, beats_per_bar)[1]
    if bars:
        return bars
    if choruses:
        return choruses * form
    return form if form <= MAX_FORM_BARS else DEFAULT_BARS


def improvise(ck: Checkpoint, chords: list[Chord] | None = None, bars: int | None = None, n: int = 1,
              cfg: SampleConfig | None = None, beats_per_bar: float | None = None,
              tempo: float | None = None, on_bar=None, sections=()) -> list[Solo]:
    """n solos over `chords` (default: the training tune's changes), `bars` bars long
    (default: the chart's length); `sections`: the beats where the chart's sections start
    (Solo.sections), so the model hears where the form is.  Each bar is sampled until exactly
    full, the LSTM state and the last pitch run on across bars, and the values are decoded
    over the chords sounding in that bar.  Solo i uses seed cfg.seed for sampling and
    cfg.seed * 1000 + i for its pitch choices: the same seed gives the same solos.
    """
    cfg = cfg or SampleConfig()
    bpb = beats_per_bar or ck.chart.beats_per_bar
    if chords is None:  # the model's own chart, and its form
        chords, sections = list(ck.chart.chords), sections or ck.chart.sections
    if bars is not None and bars < 1:
        raise JazzError(f"a solo needs at least 1 bar (got {bars})")
    if not chords:
        raise JazzError("the chord chart is empty")
    bars = plan_bars(chords, bars, bpb)
    if bars > 10_000:
        raise JazzError(f"{bars} bars is more than the limit of 10000 bars")
    changes = loop_chords(chords, bars, bpb)
    tempo = tempo or ck.chart.tempo
    form = loop_sections(sections, chords, bars, bpb)
    return [generated_solo(notes, changes, bpb, tempo, tokens, form)
            for tokens, notes in ck.spec.sample(ck, changes, bars, bpb, n, cfg, on_bar, tempo, sections=form)]


def solo_from_tokens(ck: Checkpoint, tokens: list[str], changes: list[Chord], beats_per_bar: float, tempo: float,
                     seed: int) -> Solo:
    """Grammar values decoded over `changes` into a Solo, in the model's register; `seed`
    seeds the pitch choices."""
    notes = decode(tokens, changes, None, random.Random(seed), 0.0, beats_per_bar, low=ck.chart.low, high=ck.chart.high,
                   exact=ck.spec.factored)  # a factored model's values carry exact intervals: decode them so
    return generated_solo(notes, changes, beats_per_bar, tempo, tokens)


def generated_solo(notes, changes, bpb: float, tempo: float, tokens: list[str], sections=()) -> Solo:
    """A generated solo as a Solo record: its notes over `changes`, the metre from `bpb`, the form's
    sections it was played over."""
    metre = (int(round(bpb)), 4) if bpb == int(bpb) else (int(bpb * 2), 8)
    return Solo(notes, changes, beats_per_bar=bpb, time_signature=metre, tempo=tempo, sections=tuple(sections),
                provenance=Provenance("generated", "solo", (), "chart", tuple(tokens)))


def training_values(ck: Checkpoint) -> list[list[str]]:
    """The model's training values as grammar-value streams (the novelty guard's corpus)."""
    return ck.spec.values(ck)
