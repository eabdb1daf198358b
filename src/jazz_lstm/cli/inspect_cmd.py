"""`jazz-lstm inspect`: how a tune reads."""
from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from . import options as o


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

    \b
    Examples:
      jazz-lstm inspect                        # the embedded default tune
      jazz-lstm inspect my_solo.mid --write-chart changes.txt
      jazz-lstm inspect my_solo.mid --chords changes.txt --roundtrip
    """
    from ..report import tune_report, tune_tables

    solo = o.tune(tune, melody_track, chords)
    rep = tune_report(solo, roundtrip)
    if write_chart:
        from ..charts import write_chart as save

        o.err.print(f"wrote {save(write_chart, solo.chords, solo.beats_per_bar, f'chord chart of {solo.source}')}")
    if as_json:
        o.out.print_json(json.dumps(rep.to_json()))
        return
    for item in tune_tables(rep):
        o.out.print(item, highlight=False)
