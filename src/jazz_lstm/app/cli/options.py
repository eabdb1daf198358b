"""What every command shares: the two consoles, the option types, progress bars, and the
one place a tune argument and `--chords` become library records.  Commands import this
module and the library -- never each other, never the package's `__init__`."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Optional

import typer
from rich.console import Console

from jazz_lstm.render.formats import FORMATS  # the one list of output formats (torch-free, quick)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """`jazz-lstm ... | head -1`: the reader has what it wanted -- a normal end, exit 0, quietly
        (rich's own choice is exit 1)."""
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0)


out = _Console(soft_wrap=True, emoji=False)  # results
err = _Console(stderr=True, soft_wrap=True, emoji=False)  # progress, warnings, errors (':x:' in a user's file stays ':x:')

TUNE_HELP = ("A MIDI (.mid), MusicXML (.xml/.mxl/.musicxml), ABC (.abc) or Impro-Visor leadsheet (.ls) file; 'default' for "
             "the embedded tune (Foster's 'Jeanie with the Light Brown Hair' lead sheet); or corpus:NAME for a piece of "
             "music21's corpus.")
CHORDS_HELP = ("The changes: chart text like 'Dm7 G7 | Cmaj7 | % |' (one bar per '|'; '/' holds a chord one more slot; a "
               "bar of '%' repeats the last bar), a chart file, an Impro-Visor leadsheet (.ls: its chord part), a MusicXML or "
               "tune file (its chords), an iReal Pro link (irealb://...) or playlist export (.html), or a title: 'autumn "
               "leaves' is looked up in the chart library (--charts DIR, JAZZ_LSTM_CHARTS, the built-in progressions).")
ChartDirs = Annotated[Optional[list[str]], typer.Option("--charts", metavar="DIR", help=(
    "A folder (or playlist file) of charts to look titles up in: .ls, MusicXML, iReal Pro exports, chart text "
    "(repeatable; also $JAZZ_LSTM_CHARTS, ':'-separated)."))]
FORMATS_HELP = (f"What to write beside the MIDI: comma-separated from {','.join(f for f in FORMATS if f != 'mid')} (ls: an "
                "Impro-Visor leadsheet); 'none' for MIDI only.")
ALL_FORMATS = "wav,png,musicxml,svg,score.png"

Model = Annotated[Optional[str], typer.Option("--model", "-m", metavar="FILE", help=(
    "A model file from `jazz-lstm train` (default: the pretrained model that ships with the package)."))]
MelodyTrack = Annotated[Optional[str], typer.Option("--melody-track", "-t", metavar="TRACK", help=(
    "The melody track, by number or name (see the ranking that `inspect` prints); default: best-ranked."))]
Chords = Annotated[Optional[str], typer.Option("--chords", "-c", metavar="CHANGES", help=CHORDS_HELP)]
Formats = Annotated[str, typer.Option("--formats", metavar="LIST", help=FORMATS_HELP)]
Soundfont = Annotated[Optional[str], typer.Option("--soundfont", metavar="FILE", help=(
    "A General MIDI .sf2 for the WAV (default: the installed one)."))]
Swing = Annotated[str, typer.Option("--swing", metavar="auto|off|RATIO", help=(
    "Eighth notes in the MIDI and the audio: 'auto' swings them as the Weimar Jazz Database's soloists do at the tempo "
    "(1.48:1 at 120 bpm, 1.63 at 160, 1.42 at 240, 1.22 at 300), 'off' plays them straight, or a ratio like 1.6 or 2:1. "
    "The score shows them as written."))]
NoDrums = Annotated[bool, typer.Option("--no-drums", help="No drum part (the ride and hi-hat on 2 and 4).")]
Instrument = Annotated[Optional[str], typer.Option("--instrument", metavar="NAME", help=(
    "The soloist: tenor, alto, trumpet, trombone, guitar, vibes or piano (its General MIDI sound, and the line moved by "
    "octaves into its range). Default: a tenor sax's sound, the line where the model put it."))]
TransposeFor = Annotated[str, typer.Option("--transpose-for", metavar="C|Bb|Eb|tenor|bari", help=(
    "Write the sheet music (MusicXML, SVG, score PNG) for a transposing instrument: Bb (trumpet, clarinet: a tone "
    "up), Eb (alto: a major sixth up), tenor (a major ninth up), bari; C: concert pitch. MIDI and audio sound as "
    "written for C."))]
Seed = Annotated[int, typer.Option("--seed", metavar="N", help="Seeds the sampling: the same seed, model and options "
                                   "give the same MIDI bytes.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def formats(spec: str) -> tuple:
    """--formats: ("mid", ...) -- MIDI always."""
    if spec.strip().lower() in ("none", ""):
        return ("mid",)
    return ("mid",) + tuple(f.strip().lower() for f in spec.split(",") if f.strip())


def feel(swing: str, no_drums: bool, instrument: str | None):
    """--swing, --no-drums, --instrument as a core.feel.Feel (JazzError naming the flag)."""
    from jazz_lstm.core.feel import Feel, parse_swing

    return Feel(swing=parse_swing(swing), drums=not no_drums, instrument=instrument.lower() if instrument else None)


def changes(spec: str | None, beats_per_bar: float = 4.0, charts=()):
    """--chords as a Chart (None when not given): chart text, a file, an iReal Pro link or a
    title in the chart library (`--charts` folders); says which chart a title or playlist chose."""
    from jazz_lstm.io.chartlib import resolve_changes

    if not spec:
        return None
    chart, notes = resolve_changes(spec, beats_per_bar, charts)
    for note in notes:
        from rich.markup import escape

        err.print(escape(note), highlight=False)
    return chart


def tune(spec: str | None, melody_track: str | None = None, chords: str | None = None):
    """A tune argument with --melody-track and --chords applied, as a Solo; warns when its
    chords could only be guessed from the melody."""
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.io.tunes import resolve

    chart = changes(chords)
    solo = read_tune(resolve(spec), melody_track, list(chart.chords) if chart else None)
    if solo.chord_origin == "melody":
        warn(f"{spec}: no chord symbols and no accompaniment: the chords were guessed from the melody alone "
             "(give the changes with --chords)")
    return solo


def warn(message: str) -> None:
    from rich.markup import escape

    err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)


def progress(label: str, disable: bool = False):
    """A transient progress bar on stderr (nothing when stderr is not a terminal, or disabled)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                    TimeElapsedColumn(), console=err, transient=True, disable=disable or not err.is_terminal)


class EpochBar:
    """Training's progress (a models.loop.EpochProgress): a bar on stderr with each epoch's loss,
    kept on screen when training ends (nothing when stderr is not a terminal)."""

    def __init__(self):
        self.p = None

    def start(self, total: int, done: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.p = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                          TimeElapsedColumn(), console=err, transient=False, disable=not err.is_terminal)
        self.p.start()
        self.task = self.p.add_task("", total=total, completed=done)

    def advance(self, loss: float, val: float | None) -> None:
        if self.p:
            self.p.update(self.task, advance=1, description=f"loss {loss:.3f}" + (f" val {val:.3f}" if val is not None else ""))

    def close(self) -> None:
        if self.p:
            self.p.stop()
            self.p = None


def plural(n: int, word: str) -> str:
    """'1 tune', '2 tunes'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


WHOLE_PROCESS = False  # True when `jazz-lstm` runs as its own process (cli.main with no argv)


def quit_interrupted(message: str) -> None:
    """Say `message` and end the process with exit code 130 -- now, whatever else arrives: a
    second signal is ignored, and Python's shutdown (which can turn a late signal into a death
    by SIGINT) is skipped; what had to be written (a checkpoint) already is, fsynced."""
    import os
    import signal
    import sys

    if not WHOLE_PROCESS:  # called in-process (tests, a notebook): end the command, not the caller
        err.print(message, highlight=False)
        raise SystemExit(130)
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)
    err.print(message, highlight=False)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(130)


@contextmanager
def stop_on_signals():
    """SIGTERM acts as Ctrl-C does (a KeyboardInterrupt: training writes its resumable
    checkpoint); a second SIGINT or SIGTERM, while that happens, exits at once and quietly."""
    import os
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def again(signum, frame):
        os._exit(130)  # no traceback, no "Exception ignored"; a half-written temp file is cleaned next time

    hit = []

    def first(signum, frame):
        hit.append(signum)
        signal.signal(signal.SIGINT, again)
        signal.signal(signal.SIGTERM, again)
        raise KeyboardInterrupt

    old = {s: signal.signal(s, first) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        if hit:  # on the way out, a further signal must not meet Python's shutdown (which restores the default: 143)
            for s in (signal.SIGINT, signal.SIGTERM):  # ignored, not blocked: a blocked one reaches torch's threads
                signal.signal(s, signal.SIG_IGN)
        else:
            for s, handler in old.items():
                signal.signal(s, handler)
