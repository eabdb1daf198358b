"""Swing, breath and form (issue #21), over the held-out tunes of the WJazzD split, in one run:

* per held-out solo, 5 generated solos of 32 bars over its chart at its tempo, beside the human's
  first 32 bars: silence share (empty beats), mean and longest phrase (notes between rests of a
  quarter beat or more), notes per bar -- medians, against the humans' interquartile range;
* the correlation, across tunes, of the sixteenth-note share with the tempo (humans vs model);
* chord-tone share and chord tone at a change, model minus humans (points);
* the swing of the generated MIDI files: the ratio of the eighth-note pairs (beats divided in two)
  read back from the MIDI at 120 and 240 bpm, as scripts/measure_swing.py measures the WJazzD
  soloists', against their interquartile range at those tempi.

    python benchmarks/bench_feel.py              # the held-out tunes; about 2 minutes on 2 cores
    python benchmarks/bench_feel.py validation   # the model's validation tunes (what the steer was chosen on)
    python benchmarks/bench_feel.py heldout motif=8   # with sampling settings (SampleConfig fields)
"""
from __future__ import annotations

import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WJAZZD, row, wjazzd_solos  # noqa: E402

BARS = 32
IQR = {120: (1.24, 1.84), 240: (1.24, 1.53)}  # WJazzD soloists, the bands holding 120 and 240 bpm


def phrases(notes, gap: float = 0.25) -> list[int]:
    """Notes per phrase: a rest of `gap` beats or more ends a phrase."""
    out, n = [], 0
    for a, b in zip(notes, notes[1:] + [None]):
        n += 1
        if b is None or b.start - (a.start + a.duration) >= gap - 1e-9:
            out.append(n)
            n = 0
    return out


def feel_figures(solo, bars: int) -> dict:
    from jazz_lstm.eval import metrics as M

    notes = [n for n in solo.notes if n.start < bars * solo.beats_per_bar]
    s = M.summary(notes, solo.chords, solo.beats_per_bar, bars)
    ph = phrases(notes) or [0]
    iois = [b.start - a.start for a, b in zip(notes, notes[1:])]
    return {"silence": s["empty_beats"], "phrase_mean": float(np.mean(ph)), "phrase_max": max(ph),
            "notes_per_bar": s["notes_per_bar"], "sixteenths": float(np.mean([abs(i - 0.25) < 1e-6 for i in iois])) if iois else 0.0,
            "chord_tones": s["chord_tones"], "at_change": s["chord_tone_at_change"], "repeats": M.self_repetition(notes)}


def midi_swing(tempo: float) -> float:
    """The median swing ratio read back from generated MIDI files (default feel) at `tempo`, as
    scripts/measure_swing.py measures WJazzD's: over the beats the solo divides in two (a note on the
    beat and one on its off-beat eighth, no other onset), the off-beat's delay over the rest of the
    beat, from the MIDI file's onsets."""
    import symusic

    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.feel import Feel
    from jazz_lstm.io.midi import midi_bytes
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    ck = load(default_model_path())
    chords = parse_chart("Dm7 G7 | Cmaj7 | A7 | Dm7 G7 | Em7 A7 | Dm7 G7 | Cmaj7 | Cmaj7 |", 4.0)
    ratios = []
    for solo in improvise(ck, chords, 16, 4, SampleConfig(seed=5), tempo=tempo):
        score = symusic.Score.from_midi(midi_bytes(solo, feel=Feel()))
        tpq = score.ticks_per_quarter
        played = sorted(n.time for n in score.tracks[0].notes)
        by_beat: dict = {}
        for n in solo.notes:
            by_beat.setdefault(int(n.start // 1), []).append(round(n.start % 1, 6))
        for beat, grid in by_beat.items():
            ticks = [t - beat * tpq for t in played if beat * tpq <= t < (beat + 1) * tpq]
            if sorted(grid) == [0.0, 0.5] and len(ticks) == 2 and ticks[0] == 0:  # the MIDI's two onsets of the beat
                ratios.append(ticks[1] / (tpq - ticks[1]))
    return statistics.median(ratios) if ratios else float("nan")


def main(on: str = "heldout", **sample) -> list[dict]:
    from jazz_lstm.data.corpus import tune_name
    from jazz_lstm.io.wjazzd import is_heldout
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    rows = [row(f"generated MIDI swing ratio at {t} bpm", midi_swing(t), "x", f"in {lo}-{hi}",
                "read back from the MIDI file; the WJazzD soloists' interquartile range at that tempo")
            for t, (lo, hi) in IQR.items()]
    if not os.path.isdir(os.path.join(WJAZZD, "melody")):
        print("skipped: ../shared/data/wjazzd not present")
        return rows
    held = [s for s in wjazzd_solos() if s.n_bars >= BARS]
    ck = load(default_model_path())
    val = {t.split("#")[0] for t in ck.train.val_tunes}
    if on == "validation":  # trained beside, never on: where settings are chosen
        held = [s for s in held if os.path.splitext(os.path.basename(s.source))[0] in val]
    else:
        held = [s for s in held if is_heldout(tune_name(s))]
    human, model, tempi = [], [], []
    for k, s in enumerate(held):
        human.append(feel_figures(s, BARS))
        part = s.excerpt(0, BARS * s.beats_per_bar)
        gen = improvise(ck, list(part.chords), BARS, 5, SampleConfig(seed=k, **sample),
                        beats_per_bar=s.beats_per_bar, tempo=s.tempo, sections=part.sections)
        figs = [feel_figures(g, BARS) for g in gen]
        model.append({key: float(np.median([f[key] for f in figs])) for key in figs[0]})
        tempi.append(s.tempo)
    for key, unit in (("silence", "share"), ("phrase_mean", "notes"), ("phrase_max", "notes"), ("notes_per_bar", "notes")):
        h = [x[key] for x in human]
        lo, hi = np.percentile(h, 25), np.percentile(h, 75)
        m = float(np.median([x[key] for x in model]))
        rows.append(row(f"{on} charts: {key.replace('_', ' ')}, model", m, unit, f"in {lo:.2f}-{hi:.2f}",
                        f"humans median {np.median(h):.2f} (interquartile {lo:.2f}-{hi:.2f}), {len(held)} solos"))
    for who, figs in (("humans", human), ("model", model)):
        r = float(np.corrcoef(tempi, [x["sixteenths"] for x in figs])[0, 1])
        rows.append(row(f"16th-note share vs tempo, correlation, {who}", r, "r", "<= -0.3" if who == "model" else "-"))
    for key in ("chord_tones", "at_change"):
        d = 100 * (np.median([x[key] for x in model]) - np.median([x[key] for x in human]))
        rows.append(row(f"{on} charts: {key.replace('_', ' ')}, model - humans", float(d), "pts", "within ±3"))
    h, m = np.median([x["repeats"] for x in human]), np.median([x["repeats"] for x in model])
    rows.append(row(f"{on} charts: 4-note shapes that come again in the solo, model", float(m), "share", "-",
                    f"humans {h:.3f} (metrics.self_repetition); settings {sample or 'default'}"))
    return rows


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if "=" not in a]
    settings = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)  # SampleConfig fields: motif=8 breath=0
    main(*args, **{k: (float(v) if "." in v else int(v)) for k, v in settings.items()})
