"""What a user means by "the changes": chart text, a chart file, an Impro-Visor
leadsheet's chord part, or a tune file's chords -- one function turns any of them into
a `charts.Chart`.  The CLI (`--chords`) and the studio both call it.

    chart = read_changes("Dm7 G7 | Cmaj7 |")
    chart = read_changes("../shared/data/impro-visor/charts/GiantSteps.ls")
    chart = read_changes("examples/blues_in_f.txt", beats_per_bar=4.0)
"""
from __future__ import annotations

import os

from jazz_lstm.core.charts import Chart, parse_chart, read_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import check_input
from jazz_lstm.io.formats import TUNE_EXT as FORMAT_EXT
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.leadsheet import read_sheet_chart
from jazz_lstm.io.rawtune import KEYS
from jazz_lstm.io.tunes import resolve

CHART_EXT = (".txt", ".chart", ".ls")
TUNE_EXT = tuple(e for e in FORMAT_EXT if e not in CHART_EXT)  # a tune file: its chords (a leadsheet reads as a chart)


def looks_like_path(spec: str) -> bool:
    """True for a string a user meant as a file name rather than chart text."""
    return "|" not in spec and (spec.lower().endswith(TUNE_EXT + CHART_EXT) or os.sep in spec.strip())


def read_changes(spec: str, beats_per_bar: float = 4.0, tempo: float | None = None) -> Chart:
    """The changes `spec` names, as a Chart.

    spec: a leadsheet (.ls: its chord part, metre, key, tempo and title), a tune file or
    corpus:NAME (its chords, metre, tempo and key), a chart file, or chart text (one bar
    per '|').  beats_per_bar: the bar length for chart files and text (a leadsheet or tune
    brings its own).  tempo: for chart files and text (default: Chart's).
    JazzError for a path that does not exist, an unreadable file or a bad chart.
    """
    spec = (spec or "").strip()
    if not spec:
        raise JazzError("no changes given (a chart, a chart file or a tune file)")
    extra = {} if tempo is None else {"tempo": float(tempo)}
    if os.path.exists(spec) and not os.path.isfile(spec):
        check_input(spec, "chart")  # a folder, a device, a pipe: said as such, never read
    if spec.lower().endswith(".ls") and os.path.isfile(spec):
        ls, chords, bpb = read_sheet_chart(spec)
        return _chart(chords, bpb, {"tempo": float(ls.tempo), **extra}, key_name(ls.key), ls.title or spec)
    if spec.startswith("corpus:") or (os.path.isfile(spec) and spec.lower().endswith(TUNE_EXT)):
        solo = read_tune(resolve(spec))
        return _chart(solo.chords, solo.beats_per_bar, {"tempo": solo.tempo, **extra, "sections": solo.sections}, solo.key,
                      solo.title or spec)
    if os.path.isfile(spec):
        return _chart(read_chart(spec, beats_per_bar), beats_per_bar, extra, None, spec)
    if looks_like_path(spec):
        raise JazzError("no such file", spec)
    return _chart(parse_chart(spec, beats_per_bar, source="chart"), beats_per_bar, extra, None, "chart")


def key_name(fifths: int) -> str | None:
    """A key signature's sharps (> 0) or flats (< 0) as its major key, e.g. -1 -> "F major"."""
    return f"{KEYS[fifths + 7]} major" if -7 <= fifths <= 7 else None


def _chart(chords, beats_per_bar: float, extra: dict, key, title: str) -> Chart:
    try:
        return Chart(tuple(chords), float(beats_per_bar), key=key if isinstance(key, str) else None, title=title,
                     timed="tempo" in extra, **extra)  # (extra: the tempo, a tune's sections)
    except ValueError as e:
        raise JazzError(str(e), title) from None
