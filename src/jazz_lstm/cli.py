"""The `jazz-lstm` command: a thin shell over the API.

Results go to stdout, progress and errors to stderr; a bad input is one line
``error: ...`` and exit code 2 (see errors.py), never a traceback.
"""
from __future__ import annotations

import json
import sys
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import EXIT_BAD_INPUT, EXIT_ERROR, EXIT_INTERRUPTED, JazzError

app = typer.Typer(
    name="jazz-lstm", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Learn a jazz soloist's language from MIDI/MusicXML/ABC with an LSTM and improvise new solos "
         "over chord changes.  Start with `jazz-lstm demo`.",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

TUNE_HELP = ("A MIDI (.mid), MusicXML (.xml/.mxl/.musicxml), ABC (.abc) or Impro-Visor leadsheet (.ls) file; 'default' for the embedded "
             "tune (Foster's 'Jeanie with the Light Brown Hair' lead sheet); or corpus:NAME for a piece of "
             "music21's corpus.")
MELODY_HELP = "The melody track, by number or name (see the ranking that `inspect` prints); default: best-ranked."
CHORDS_HELP = ("The changes: a chart file, an Impro-Visor leadsheet (.ls: its chord part), or chart text like 'Dm7 G7 | Cmaj7 | % |' (one bar per '|'; "
               "'/' holds a chord one more slot; a bar of '%' repeats the last bar).")


def _version(value: bool):
    if value:
        from . import __version__

        out.print(f"jazz-lstm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit.")):
    """Learn a jazz soloist's language with an LSTM and improvise over chord changes."""


def load(tune: str | None, melody_track: str | None, chords: str | None):
    """Read a tune with the CLI's options applied."""
    from .midi_io import read_tune
    from .tunes import resolve

    path = resolve(tune)
    chart = None
    if chords:
        chart = chords_option(chords)
    solo = read_tune(path, melody_track, chart)
    if solo.chord_origin == "melody":
        err.print(f"[yellow]warning:[/] {tune}: no chord symbols and no accompaniment: the chords were guessed from the "
                  "melody alone (give the changes with --chords)", highlight=False)
    return solo


@app.command()
def inspect(
    tune: str = typer.Argument("default", help=TUNE_HELP),
    melody_track: Optional[str] = typer.Option(None, "--melody-track", "-t", help=MELODY_HELP),
    chords: Optional[str] = typer.Option(None, "--chords", "-c", help=CHORDS_HELP),
    write_chart: Optional[str] = typer.Option(None, "--write-chart", help="Save the chord chart as editable text (read it back with --chords)."),
    roundtrip: bool = typer.Option(False, "--roundtrip", help="Encode the melody, decode it over the same chords, report agreement."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
):
    """Show how a tune reads: the melody-track ranking, the chord chart, the grammar's token statistics.

    Examples:
      jazz-lstm inspect                        # the embedded default tune
      jazz-lstm inspect my_solo.mid --write-chart changes.txt
      jazz-lstm inspect my_solo.mid --chords changes.txt --roundtrip
    """
    from dataclasses import asdict

    from . import grammar
    from .charts import chart_bars, format_chart
    from .fileio import write_atomic

    solo = load(tune, melody_track, chords)
    tokens = grammar.encode(solo)
    st = grammar.stats(tokens)
    rt = grammar.roundtrip(solo) if roundtrip else None
    if write_chart:
        write_atomic(write_chart, f"# chord chart of {solo.source}\n" + format_chart(solo.chords, solo.beats_per_bar))
        err.print(f"wrote {write_chart}")
    if as_json:
        out.print_json(json.dumps({
            "source": solo.source, "melody_track": solo.melody_track, "notes": len(solo.notes),
            "time_signature": list(solo.time_signature), "tempo": solo.tempo, "key": solo.key,
            "chord_origin": solo.chord_origin, "ranking": [asdict(r) for r in solo.ranking],
            "chart": chart_bars(solo.chords, solo.beats_per_bar), "tokens": st, "roundtrip": rt,
        }))
        return
    num, den = solo.time_signature
    out.print(f"[bold]{solo.source}[/]  {num}/{den}, {solo.tempo:.0f} bpm, key {solo.key or '?'}, "
              f"{solo.n_bars} bars, melody {solo.melody_track} ({len(solo.notes)} notes)")
    if solo.ranking:
        t = Table(title="Melody candidates (best first)", title_justify="left")
        for col in ("track", "name", "notes", "monophony", "size", "register", "fit", "score"):
            t.add_column(col, justify="left" if col == "name" else "right")
        for r in solo.ranking:
            t.add_row(str(r.index), r.name, str(r.n_notes), *(f"{v:.2f}" for v in (r.monophony, r.count, r.register, r.fit, r.score)))
        out.print(t)
    out.print(f"[bold]Chord chart[/] ({solo.chord_origin}, {len(solo.chords)} chords)")
    out.print(format_chart(solo.chords, solo.beats_per_bar), highlight=False, markup=False)
    types = "  ".join(f"{k} {v:.0%}" for k, v in st["types"].items())
    out.print(f"[bold]Grammar[/] {st['tokens']} terminals, {st['values']} distinct values; {types}")
    out.print("most common: " + ", ".join(f"{tok} x{c}" for tok, c in st["top"]), highlight=False)
    if rt:
        out.print(f"[bold]Round trip[/] onset {rt['onset']:.0%}, duration {rt['duration']:.0%}, "
                  f"type {rt['type']:.0%}, pitch class {rt['pitch_class']:.0%} ({rt['notes']} notes)")


MODEL_HELP = "A model file from `jazz-lstm train` (default: the small pretrained model that ships with the package)."


def chords_option(spec: str | None, beats_per_bar: float = 4.0):
    """--chords: a tune file (its changes), a chart file, or chart text."""
    import os

    from .charts import chords_or_chart
    from .midi_io import ABC_EXT, MIDI_EXT, XML_EXT, read_tune
    from .tunes import resolve

    if not spec:
        return None
    if spec.lower().endswith(".ls") and os.path.isfile(spec):
        from .leadsheet import read_leadsheet_chart

        return read_leadsheet_chart(spec)[0]
    if spec.startswith("corpus:") or (os.path.isfile(spec) and spec.lower().endswith(MIDI_EXT + XML_EXT + ABC_EXT)):
        return read_tune(resolve(spec)).chords
    if not os.path.isfile(spec) and spec.lower().endswith(MIDI_EXT + XML_EXT + ABC_EXT + (".ls", ".txt")) and "|" not in spec:
        raise JazzError("no such file", spec)
    return chords_or_chart(spec, beats_per_bar)


from . import cli_train  # noqa: E402,F401,I001  (adds train)
from . import cli_solo  # noqa: E402,F401,I001  (adds generate, demo, render, in this order)
from . import cli_eval  # noqa: E402,F401,I001  (adds evaluate, studio)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning user errors into one line and exit code 2."""
    from typer import _click as click  # typer carries its own click (typer._click)

    try:
        code = app(args=argv, prog_name="jazz-lstm", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.NoArgsIsHelpError as e:
        e.show()  # no arguments: the help, as `jazz-lstm --help` prints it
        sys.exit(0)
    except click.exceptions.ClickException as e:  # a bad option or value: one line, as for any bad input
        ctx = getattr(e, "ctx", None)
        cmd = f" {ctx.info_name}" if ctx is not None and ctx.parent is not None else ""
        err.print(f"[red]error:[/] {e.format_message()} (see 'jazz-lstm{cmd} --help')", highlight=False)
        sys.exit(EXIT_BAD_INPUT)
    except JazzError as e:
        err.print(f"[red]error:[/] {e}", highlight=False)
        sys.exit(EXIT_BAD_INPUT)
    except (KeyboardInterrupt, typer.Abort):  # typer turns Ctrl-C into Abort outside a command
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as e:  # a bug: say so briefly, full traceback only on request
        if __import__("os").environ.get("JAZZ_LSTM_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(e).__name__}: {e} (set JAZZ_LSTM_DEBUG=1 for the traceback)", highlight=False)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
