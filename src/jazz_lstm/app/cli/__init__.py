"""The `jazz-lstm` command: a thin shell over the library.

Imports go one way: this module registers the commands; each command module
(`inspect_cmd`, `train_cmd`, `solo_cmd`, `evaluate_cmd`, `studio_cmd`, `charts_cmd`) imports only
`options` and the library -- inside the command's function, when it runs, so that `--help` and a
bad flag answer without loading torch (the one place imports are not at the top).  Results go to stdout, progress and errors to stderr; a bad
input is one line ``error: ...`` and exit code 2 (see errors.py), never a traceback.
"""
from __future__ import annotations

import os
import sys
import threading

import typer

from jazz_lstm.app.cli import charts_cmd, evaluate_cmd, inspect_cmd, solo_cmd, studio_cmd, train_cmd
from jazz_lstm.app.cli.options import err, out
from jazz_lstm.core.errors import EXIT_BAD_INPUT, EXIT_ERROR, EXIT_INTERRUPTED, JazzError

app = typer.Typer(
    name="jazz-lstm", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Learn a jazz soloist's language from MIDI/MusicXML/ABC/leadsheets with an LSTM and improvise new solos "
         "over chord changes.  Start with `jazz-lstm demo`.",
)
for command in (inspect_cmd.inspect, train_cmd.train, solo_cmd.generate, solo_cmd.demo, solo_cmd.render,
                evaluate_cmd.evaluate, studio_cmd.studio, charts_cmd.charts):
    app.command()(command)

# a library error names a setting in its own words; here it gets the flag's name
FLAGS = {"n": "--num-outputs", "bars": "--bars", "tempo": "--tempo", "temperature": "--temperature", "seed": "--seed",
         "top_k": "--top-k", "top_p": "--top-p", "tunes": "--tunes", "hidden": "--hidden", "layers": "--layers",
         "dropout": "--dropout", "embedding": "--embedding", "lr": "--lr", "device": "--device", "epochs": "--epochs",
         "batch_size": "--batch-size", "tx": "--tx", "stride": "--stride", "formats": "--formats",
         "soundfont": "--soundfont", "output": "--output"}
MAX_MESSAGE = 400  # characters of an error line: a message quoting a file never floods the terminal


def one_line(text: str) -> str:
    """An error message as one line of at most MAX_MESSAGE characters (rich markup escaped)."""
    from rich.markup import escape

    flat = " ".join(str(text).split())
    return escape(flat if len(flat) <= MAX_MESSAGE else flat[:MAX_MESSAGE - 1] + "…")


def _version(value: bool):
    if value:
        from jazz_lstm.core.version import __version__

        out.print(f"jazz-lstm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit.")):
    """Learn a jazz soloist's language with an LSTM and improvise over chord changes."""


def command():
    """The click command behind `app`, with conventional help: a flag shows no type, an
    option shows its METAVAR, an argument reads TUNE or TUNES... in the usage line."""
    from typer.core import TyperArgument, TyperOption

    from jazz_lstm.app.cli import coerce

    coerce.install()  # str/int/float/bool values without pydantic (start-up: see coerce.py)
    if not getattr(TyperOption, "_jazz_lstm_help", False):  # typer's own help says <bool>, <str>, {tunes}
        show = TyperOption.display_type_rich
        TyperOption.display_type_rich = lambda self, ctx: None if self.is_flag else show(self, ctx)
        TyperArgument.display_type_rich = lambda self, ctx: None
        TyperArgument._usage_display_name = lambda self: self.metavar if self.required else f"[{self.metavar}]"
        TyperOption._jazz_lstm_help = True
    cmd = typer.main.get_command(app)
    for sub in getattr(cmd, "commands", {}).values():
        for p in sub.params:
            if isinstance(p, TyperArgument):
                p.metavar = p.metavar or p.name.upper()
    return cmd


def _terminate(signum, frame):
    """The first SIGINT or SIGTERM: a KeyboardInterrupt (the command cleans up, exit 130); any
    further one exits at once and quietly, wherever the clean-up is."""
    import signal

    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, _again)
    raise KeyboardInterrupt


def _again(signum, frame):
    os._exit(EXIT_INTERRUPTED)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning user errors into one line and exit code 2."""
    import signal

    from typer import _click as click  # typer carries its own click (typer._click)

    from jazz_lstm.app.cli import options

    options.WHOLE_PROCESS = argv is None and threading.current_thread() is threading.main_thread()
    if threading.current_thread() is threading.main_thread():  # SIGTERM ends any command as Ctrl-C does (exit 130)
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, _terminate)
    try:
        code = command().main(args=argv, prog_name="jazz-lstm", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
        sys.stdout.flush()
    except BrokenPipeError:  # `jazz-lstm ... | head -1`: the reader has what it wanted; a normal end
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except click.exceptions.NoArgsIsHelpError as e:
        e.show()  # no arguments: the help, as `jazz-lstm --help` prints it
        sys.exit(0)
    except click.exceptions.ClickException as e:  # a bad option or value: one line, as for any bad input
        ctx = getattr(e, "ctx", None)
        cmd = f" {ctx.info_name}" if ctx is not None and ctx.parent is not None else ""
        err.print(f"[red]error:[/] {one_line(e.format_message())} (see 'jazz-lstm{cmd} --help')", highlight=False)
        sys.exit(EXIT_BAD_INPUT)
    except JazzError as e:
        flag = FLAGS.get(e.field or "")
        err.print(f"[red]error:[/] {flag + ': ' if flag and not e.source else ''}{one_line(e)}", highlight=False)
        sys.exit(EXIT_BAD_INPUT)
    except (KeyboardInterrupt, typer.Abort):  # typer turns Ctrl-C into Abort outside a command
        from jazz_lstm.app.cli.options import quit_interrupted

        quit_interrupted("interrupted")  # exit 130, whatever comes after
    except Exception as e:  # a bug: say so briefly, full traceback only on request
        if os.environ.get("JAZZ_LSTM_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(e).__name__}: {one_line(e)} (set JAZZ_LSTM_DEBUG=1 for the traceback)",
                  highlight=False)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
