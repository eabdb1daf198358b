"""`jazz-lstm charts`: find a standard by title in the chart library."""
from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from jazz_lstm.app.cli import options as o


def charts(
    query: Annotated[Optional[str], typer.Argument(metavar="QUERY", help=(
        "Words of a title (case, spaces, punctuation and word order forgiven); none: list every chart."))] = None,
    folders: o.ChartDirs = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", help="Show at most N matches (0: all).")] = 20,
    as_json: o.JsonFlag = False,
):
    """List or search the chart library: folders of .ls, MusicXML, iReal Pro exports and chart text.

    \b
    Examples:
      jazz-lstm charts "autumn leaves" --charts ../shared/data/impro-visor/charts
      JAZZ_LSTM_CHARTS=~/charts jazz-lstm charts "all the things"
      jazz-lstm charts --charts playlist.html          # every song of an iReal Pro export
    Give a title to --chords and generate plays that chart.
    """
    from jazz_lstm.io.chartlib import Library

    lib = Library(folders or ())
    hits = lib.search(query, limit or len(lib.entries) or 1) if query else lib.entries[: limit or None]
    if as_json:
        o.out.print_json(json.dumps({"query": query, "total": len(lib.entries), "matches": [e.to_json() for e in hits]}))
        return
    if query and not hits:
        o.err.print(f"no title matches {query!r} among {o.plural(len(lib.entries), 'chart')}", highlight=False, markup=False)
        raise typer.Exit(1)
    rows = [(e.title, e.composer, "built in" if e.path == "builtin" else e.path + (f" (song {e.song + 1})" if e.song else ""))
            for e in hits]
    if o.out.is_terminal:
        from rich.table import Table

        table = Table(box=None, show_edge=False, pad_edge=False)
        for col in ("title", "composer", "file"):
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*row)
        o.out.print(table, markup=False)
    else:  # one chart a line, tab-separated: for grep, cut and scripts
        for row in rows:
            o.out.print("\t".join(row), markup=False, highlight=False)
    shown = len(hits)
    total = len(lib.entries)
    o.err.print(f"{shown} of {o.plural(total, 'chart')}" + (f" matching {query!r}" if query else ""), highlight=False,
                markup=False)
