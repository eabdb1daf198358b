"""`jazz-lstm inspect`: how a tune reads (or what a model file holds)."""
from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from jazz_lstm.app.cli import options as o


def inspect(
    tune: Annotated[str, typer.Argument(metavar="TUNE", help=o.TUNE_HELP)] = "default",
    melody_track: o.MelodyTrack = None,
    chords: o.Chords = None,
    write_chart: Annotated[Optional[str], typer.Option("--write-chart", metavar="FILE", help=(
        "Save the chord chart as editable text (read it back with --chords)."))] = None,
    roundtrip: Annotated[bool, typer.Option("--roundtrip", help=(
        "Encode the melody, decode it over the same chords, report agreement."))] = False,
    as_json: o.JsonFlag = False,
):
    """Show how a tune reads: the melody-track ranking, the chord chart, the grammar's token statistics.
    A folder or a WJazzD database lists its tunes (title, bars, tempo, metre, chords, notes); a model
    file (.safetensors) says its kind, network, weights and training.

    \b
    Examples:
      jazz-lstm inspect                        # the embedded default tune
      jazz-lstm inspect ../shared/data/wjazzd  # every solo of a corpus
      jazz-lstm inspect my_solo.mid --write-chart changes.txt
      jazz-lstm inspect my_solo.mid --chords changes.txt --roundtrip
      jazz-lstm inspect model.safetensors      # a model: kind, network, training
    """
    from jazz_lstm.eval.report import tune_report, tune_tables

    if tune.lower().endswith(".safetensors"):
        return _model(tune, as_json)
    if _many(tune):
        return _listing(tune, as_json)
    solo = o.tune(tune, melody_track, chords)
    rep = tune_report(solo, roundtrip)
    if write_chart:
        from jazz_lstm.core.charts import write_chart as save

        o.err.print(f"wrote {save(write_chart, solo.chords, solo.beats_per_bar, f'chord chart of {solo.source}')}")
    if as_json:
        o.out.print_json(json.dumps(rep.to_json()))
        return
    for item in tune_tables(rep):
        o.out.print(item, highlight=False)


def _many(spec: str) -> bool:
    import os

    from jazz_lstm.io.wjazzd import DB_EXT

    return os.path.isdir(spec) or (os.path.isfile(spec) and spec.lower().endswith(DB_EXT))


def _listing(spec: str, as_json: bool) -> None:
    from jazz_lstm.eval.report import tune_listing

    with o.progress("reading tunes") as bar:
        task = bar.add_task("", total=None)
        rows = tune_listing([spec], on_file=lambda done, total: bar.update(task, completed=done, total=total))
    read = [r for r in rows if not r.error]
    if as_json:
        o.out.print_json(json.dumps({"tunes": [r.to_json() for r in rows], "read": len(read), "total": len(rows)}))
        return
    for r in rows:
        if r.error:
            o.out.print(f"{r.path}\tnot read: {r.error}", markup=False, highlight=False)
        else:
            o.out.print(f"{r.title}\t{r.bars} bars\t{r.tempo:g} bpm\t{r.metre}\t{r.chords} chords\t{r.notes} notes\t{r.path}",
                        markup=False, highlight=False)
    o.err.print(f"{len(read)} of {o.plural(len(rows), 'tune')} read; "
                f"{sum(r.notes for r in read)} notes, {sum(r.bars for r in read)} bars", highlight=False)


def _model(path: str, as_json: bool) -> None:
    from jazz_lstm.eval.report import model_lines, model_report
    from jazz_lstm.models.checkpoint import load

    rep = model_report(load(path))
    if as_json:
        o.out.print_json(json.dumps(rep.to_json()))
        return
    for line in model_lines(rep):
        o.out.print(line, markup=False, highlight=False)
