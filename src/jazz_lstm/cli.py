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

TUNE_HELP = ("A MIDI (.mid), MusicXML (.xml/.mxl/.musicxml) or ABC (.abc) file; 'default' for the embedded "
             "tune (Foster's 'Jeanie with the Light Brown Hair' lead sheet); or corpus:NAME for a piece of "
             "music21's corpus.")
MELODY_HELP = "The melody track, by number or name (see the ranking that `inspect` prints); default: best-ranked."
CHORDS_HELP = ("The changes: a chart file, or chart text like 'Dm7 G7 | Cmaj7 % |' (one bar per '|'; "
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
    from .charts import chords_or_chart
    from .midi_io import read_tune
    from .tunes import resolve

    path = resolve(tune)
    chart = None
    if chords:
        chart = chords_or_chart(chords)
    return read_tune(path, melody_track, chart)


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
    if spec.startswith("corpus:") or (os.path.isfile(spec) and spec.lower().endswith(MIDI_EXT + XML_EXT + ABC_EXT)):
        return read_tune(resolve(spec)).chords
    return chords_or_chart(spec, beats_per_bar)


@app.command()
def train(
    tunes: list[str] = typer.Argument(..., help=TUNE_HELP + " Several tunes train one model."),
    output: str = typer.Option("model.safetensors", "--output", "-o", help="Where to write the model (one .safetensors file)."),
    melody_track: Optional[str] = typer.Option(None, "--melody-track", "-t", help=MELODY_HELP),
    chords: Optional[str] = typer.Option(None, "--chords", "-c", help=CHORDS_HELP + " Applies to every tune."),
    epochs: int = typer.Option(100, help="Passes over the training windows (the recipe: 100)."),
    batch_size: int = typer.Option(32, help="Windows per optimizer step (the recipe: 32)."),
    lr: float = typer.Option(0.01, help="Adam learning rate, decayed as lr / (1 + 0.01 * step) (the recipe)."),
    windows: int = typer.Option(60, help="Random windows to train on (the recipe: 60); 0 = every window (see --stride)."),
    stride: int = typer.Option(1, help="With --windows 0: distance between window starts, in values."),
    tx: int = typer.Option(30, "--tx", help="Window length in values (the recipe's Tx)."),
    hidden: int = typer.Option(64, help="LSTM units (the recipe's n_a)."),
    layers: int = typer.Option(1, help="Stacked LSTM layers."),
    dropout: float = typer.Option(0.0, help="Dropout between layers and before the output layer."),
    embedding: int = typer.Option(0, help="0 = one-hot input (the recipe); N = a learned embedding of size N."),
    val: float = typer.Option(0.0, "--val", help="Share of the tunes held out for validation (needs 2+ tunes)."),
    patience: int = typer.Option(0, help="Stop after this many epochs without a better validation loss (0 = never)."),
    seed: int = typer.Option(0, help="Seeds the initial weights and the window order."),
    resume: bool = typer.Option(False, "--resume", help="Continue training the model in --output up to --epochs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
):
    """Train a model on your tunes: the recipe's settings by default, in about a second.

    Examples:
      jazz-lstm train my_solo.mid -o my.safetensors
      jazz-lstm train a.mid b.xml c.abc --windows 0 --stride 2 --epochs 40 --val 0.2 --patience 5
      jazz-lstm train my_solo.mid -o my.safetensors --epochs 300 --resume
    Ctrl-C writes a resumable checkpoint.
    """
    from . import checkpoint
    from .train import TrainConfig
    from .train import train as run_train

    cfg = TrainConfig(Tx=tx, windows=windows, stride=stride, epochs=epochs, batch_size=batch_size, lr=lr,
                      val_fraction=val, patience=patience, seed=seed)
    if min(hidden, layers) < 1 or embedding < 0 or not 0 <= dropout < 1:
        raise JazzError("--hidden and --layers must be >= 1, --embedding >= 0, --dropout in [0, 1)")
    chart = chords_option(chords)
    solos = [load(t, melody_track, None) if chart is None else _with_chords(load(t, melody_track, None), chart) for t in tunes]
    prior = checkpoint.load(output) if resume else None
    try:
        ck = run_train(solos, cfg, dict(hidden=hidden, layers=layers, dropout=dropout, embedding=embedding),
                       out=output, resume=prior, progress=not quiet, names=list(tunes))
    except KeyboardInterrupt:
        err.print(f"interrupted: a resumable checkpoint is in {output} (continue with --resume)")
        raise SystemExit(EXIT_INTERRUPTED) from None
    facts = ck.train
    out.print(f"wrote {output}: {len(ck.vocab)} values, {facts['windows']} windows, {facts['epochs_done']} epochs, "
              f"loss {facts['losses'][0]:.2f} -> {facts['losses'][-1]:.2f}"
              + (f", val {facts['val_losses'][-1]:.2f}" if facts.get("val_losses") else "")
              + f" in {facts['seconds']:.1f} s")


def _with_chords(solo, chords):
    solo.chords, solo.chord_origin = chords, "chart"
    return solo


def _stems(outdir: str, n: int) -> list[str]:
    import os

    return [os.path.join(outdir, "solo" if n == 1 else f"solo-{i + 1}") for i in range(n)]


FORMATS_HELP = "What to write beside the MIDI: comma-separated from wav,png,musicxml,svg,score.png; 'none' for MIDI only."


def _formats(spec: str) -> tuple:
    if spec.strip().lower() in ("none", ""):
        return ("mid",)
    return ("mid",) + tuple(f.strip().lower() for f in spec.split(",") if f.strip())


def write_solos(solos, stems, formats, ck, cfg, model_path, default_model, accompany=True, soundfont=None, title=""):
    """Render each solo and write its manifest; print what was written."""
    import json

    from . import manifest
    from .fileio import write_atomic
    from .render import render

    for i, (solo, stem) in enumerate(zip(solos, stems)):
        r = render(solo, stem, formats, title=f"{title} — seed {cfg.seed}" + (f", solo {i + 1}" if len(solos) > 1 else ""),
                   soundfont=soundfont, accompany=accompany)
        for w in r.warnings:
            err.print(f"[yellow]warning:[/] {w}", highlight=False)
        data = manifest.build(model_path=model_path, model_sha256=ck.sha256, default_model=default_model,
                              cfg=cfg.to_dict(), index=i, num_outputs=len(solos), bars=solo.n_bars, tempo=solo.tempo,
                              beats_per_bar=solo.beats_per_bar, chords=solo.chords, tokens=solo.tokens,
                              accompany=accompany, files=r.files, synth=r.synth)
        r.files["json"] = write_atomic(f"{stem}.json", json.dumps(data, indent=1))
        out.print(f"wrote {r.files['mid']}  ({solo.n_bars} bars, {len(solo.notes)} notes)", highlight=False)
        for fmt, path in r.files.items():
            if fmt != "mid":
                out.print(f"      {path}" + (f"  ({r.synth})" if fmt == "wav" else ""), highlight=False)


@app.command()
def generate(
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    chords: Optional[str] = typer.Option(None, "--chords", "-c", help=CHORDS_HELP + " Or a tune file: its changes. Default: the training tune's changes."),
    outdir: str = typer.Option("out", "--output", "-o", help="Folder for solo.mid (solo-1.mid, ... with several outputs)."),
    bars: Optional[int] = typer.Option(None, help="Length in bars (default: the chart's; a shorter chart repeats)."),
    tempo: Optional[float] = typer.Option(None, help="Quarter notes per minute (default: the training tune's)."),
    temperature: float = typer.Option(1.0, help="> 0: lower is safer, higher is wilder."),
    top_k: int = typer.Option(0, "--top-k", help="Sample only among the k most likely values (0 = all)."),
    top_p: float = typer.Option(1.0, "--top-p", help="Sample only among the most likely values that reach this probability."),
    greedy: bool = typer.Option(False, "--greedy", help="Always take the most likely value (the recipe's argmax)."),
    seed: int = typer.Option(0, help="Same seed, same model, same options: the same MIDI bytes."),
    max_copy: int = typer.Option(8, "--max-copy", help="Novelty guard: never copy more than this many training values in a row (0 = off)."),
    fit: str = typer.Option("split", "--fit", help="A value longer than the rest of its bar: 'split' it with a tie, or 'mask' it out."),
    num_outputs: int = typer.Option(1, "--num-outputs", "-n", help="How many solos (sampled together in one batch)."),
    no_accompaniment: bool = typer.Option(False, "--no-accompaniment", help="Write the melody alone (no comping, no bass)."),
    formats: str = typer.Option("wav,png,musicxml,svg,score.png", "--formats", help=FORMATS_HELP),
    soundfont: Optional[str] = typer.Option(None, "--soundfont", help="A General MIDI .sf2 for the WAV (default: the installed one)."),
    from_manifest: Optional[str] = typer.Option(None, "--from-manifest", help="Make the identical MIDI again from a solo.json."),
):
    """Improvise solos over chord changes; write MIDI, audio, pictures and a manifest.

    Examples:
      jazz-lstm generate -o out                                  # pretrained model, its tune's changes
      jazz-lstm generate -m my.safetensors --chords "Dm7 G7 | Cmaj7 % |" --bars 16 -n 4 --seed 7
      jazz-lstm generate -m my.safetensors --chords changes.txt --temperature 0.8 --top-p 0.9
      jazz-lstm generate --from-manifest out/solo.json -o again     # the same MIDI bytes
    Each solo gets STEM.mid, .wav, .png (piano roll), .musicxml, .svg and .score.png (sheet music), .json (manifest).
    """
    import os

    from . import checkpoint
    from .generate import improvise
    from .harmony import parse_chord
    from .sample import SampleConfig

    m = None
    if from_manifest:
        from . import manifest

        m = manifest.read(from_manifest)
        s = m["sampling"]
        temperature, top_k, top_p, greedy, seed = s["temperature"], s["top_k"], s["top_p"], s["greedy"], s["seed"]
        max_copy, fit = s.get("max_copy", 0), s.get("fit", "split")
        num_outputs, bars, tempo, no_accompaniment = m["num_outputs"], m["bars"], m["tempo"], not m["accompaniment"]
        if model is None and m["model"]["path"] != "default":
            model = m["model"]["path"]
    cfg = SampleConfig(temperature=temperature, top_k=top_k, top_p=top_p, greedy=greedy, seed=seed, max_copy=max_copy, fit=fit)
    if num_outputs < 1 or num_outputs > 10_000:
        raise JazzError(f"--num-outputs must be in 1..10000 (got {num_outputs})")
    if bars is not None and bars < 1:
        raise JazzError(f"--bars must be >= 1 (got {bars})")
    if tempo is not None and not 10 <= tempo <= 400:
        raise JazzError(f"--tempo must be in 10..400 (got {tempo})")
    ck = checkpoint.load(model or checkpoint.default_model_path())
    bpb = float(ck.chart.get("beats_per_bar", 4.0))
    if m is not None:
        if ck.sha256 != m["model"]["sha256"]:
            raise JazzError(f"the model ({ck.path}) is not the one this manifest was made with (sha256 differs)", from_manifest)
        bpb = float(m["beats_per_bar"])
        chart = [parse_chord(sym, st, du) for sym, st, du in m["chords"]]
    else:
        chart = chords_option(chords, bpb)
    solos = improvise(ck, chart, bars, num_outputs, cfg, beats_per_bar=bpb, tempo=tempo)
    stems = _stems(outdir, num_outputs)
    if m is not None:
        solos, stems = [solos[m["index"]]], [os.path.join(outdir, "solo")]
    title = os.path.basename(model) if model else "default model"
    write_solos(solos, stems, _formats(formats), ck, cfg, ck.path, model is None, not no_accompaniment, soundfont, title)




@app.command()
def demo(
    outdir: str = typer.Option("demo", "--output", "-o", help="Folder for the model and the solo."),
    seed: int = typer.Option(0, help="Seeds training and sampling."),
    formats: str = typer.Option("wav,png,musicxml,svg,score.png", "--formats", help=FORMATS_HELP),
):
    """Train on the embedded default tune in seconds, then improvise over a 12-bar jazz blues in F:
    a MIDI file, a WAV to listen to, a piano roll and sheet music to look at, and a manifest."""
    import os

    from . import checkpoint
    from .charts import BLUES_12, parse_chart
    from .generate import improvise
    from .midi_io import read_tune
    from .sample import SampleConfig
    from .train import TrainConfig
    from .train import train as run_train
    from .tunes import DEFAULT_TUNE, resolve

    tune = read_tune(resolve(None))
    model_path = os.path.join(outdir, "model.safetensors")
    err.print(f"training on {DEFAULT_TUNE} ({len(tune.notes)} notes, {len(tune.chords)} chords) ...")
    ck = run_train([tune], TrainConfig(seed=seed), out=model_path, names=[DEFAULT_TUNE])
    cfg = SampleConfig(seed=seed)
    solos = improvise(ck, parse_chart(BLUES_12), 12, 1, cfg, tempo=132.0)
    out.print(f"wrote {model_path}  (loss {ck.train['losses'][0]:.1f} -> {ck.train['losses'][-1]:.1f}, "
              f"{ck.train['seconds']:.1f} s)", highlight=False)
    ck.sha256, ck.path = checkpoint.load(model_path).sha256, model_path
    write_solos(solos, [os.path.join(outdir, "solo")], _formats(formats), ck, cfg, model_path, False,
                title="12-bar blues in F, trained on the default tune")


@app.command()
def render(
    midi: str = typer.Argument(..., help="A MIDI file (or MusicXML/ABC): its melody and chords are rendered."),
    outdir: Optional[str] = typer.Option(None, "--output", "-o", help="Folder for the outputs (default: beside the file)."),
    formats: str = typer.Option("wav,png,musicxml,svg,score.png", "--formats", help=FORMATS_HELP),
    soundfont: Optional[str] = typer.Option(None, "--soundfont", help="A General MIDI .sf2 for the WAV."),
    melody_track: Optional[str] = typer.Option(None, "--melody-track", "-t", help=MELODY_HELP),
    chords: Optional[str] = typer.Option(None, "--chords", "-c", help=CHORDS_HELP),
):
    """Render a solo to audio (WAV), a piano roll (PNG) and sheet music (MusicXML, SVG, PNG).

    Examples:
      jazz-lstm render out/solo.mid
      jazz-lstm render my_solo.mid -o pics --formats png,svg --soundfont ~/sf2/jazz.sf2
    """
    import os

    from .render import render as run_render

    solo = load(midi, melody_track, chords)
    stem = os.path.join(outdir or os.path.dirname(os.path.abspath(midi)), os.path.splitext(os.path.basename(midi))[0])
    fmts = tuple(f for f in _formats(formats) if f != "mid")
    r = run_render(solo, stem, fmts, title=os.path.basename(midi), soundfont=soundfont)
    for w in r.warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False)
    for fmt, path in r.files.items():
        out.print(f"wrote {path}" + (f"  ({r.synth})" if fmt == "wav" else ""), highlight=False)


@app.command()
def evaluate(
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    tunes: Optional[list[str]] = typer.Option(None, "--tunes", help="The human solos to compare with (default: the model's training tunes). Repeat for several."),
    heldout: Optional[list[str]] = typer.Option(None, "--heldout", help="Tunes the model did not train on: report its cross-entropy on them."),
    n: int = typer.Option(20, "--n", help="How many solos to generate."),
    bars: int = typer.Option(32, help="Length of each solo (and of the human pieces) in bars."),
    temperature: float = typer.Option(1.0, help="Sampling temperature (> 0)."),
    top_p: float = typer.Option(1.0, "--top-p", help="Nucleus sampling threshold."),
    max_copy: int = typer.Option(8, "--max-copy", help="Novelty guard: at most this many training values in a row (0 = off)."),
    seed: int = typer.Option(0, help="Seeds the sampling."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write a self-contained HTML report here."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of a table."),
):
    """Measure a model: its solos' metrics beside the human band, novelty, diversity, fit.

    Examples:
      jazz-lstm evaluate -m my.safetensors --tunes my_solo.mid -o report.html
      jazz-lstm evaluate -m my.safetensors --tunes a.mid --heldout b.mid --n 50 --json
    """
    import os

    from . import checkpoint
    from .evaluate import evaluate as run_evaluate
    from .fileio import write_atomic
    from .report import terminal_table, to_html, to_json
    from .sample import SampleConfig

    if n < 1:
        raise JazzError(f"--n must be >= 1 (got {n})")
    if bars < 1:
        raise JazzError(f"--bars must be >= 1 (got {bars})")
    cfg = SampleConfig(temperature=temperature, top_p=top_p, max_copy=max_copy, seed=seed)
    ck = checkpoint.load(model or checkpoint.default_model_path())
    names = list(tunes or [])
    if not names:
        names = [t for t in ck.train.get("tunes", []) if t.startswith("corpus:") or t == "default" or os.path.isfile(t)]
        if not names:
            raise JazzError("the model's training tunes are not here: name the tunes to compare with (--tunes FILE)")
    solos = [load(t, None, None) for t in names]
    report = run_evaluate(ck, solos, n, bars, cfg, [load(t, None, None) for t in heldout or []] or None)
    if as_json:
        out.print(to_json(report), highlight=False, markup=False)
    else:
        out.print(terminal_table(report))
        for t in report["targets"]:
            mark = "[green]ok[/]" if t["ok"] else "[red]missed[/]"
            out.print(f"  {mark}  {t['target']}: {t['value']:.2f} {t.get('unit', '')}", highlight=False)
    if output:
        write_atomic(output, to_html(report, solos))
        err.print(f"wrote {output}")


@app.command()
def studio(
    port: int = typer.Option(8765, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (default: this machine only)."),
):
    """Start the web studio: load a tune, train, set the changes, improvise, listen and look."""
    try:
        import uvicorn

        from .web.app import create_app
    except ImportError as e:
        raise JazzError(f"the studio needs the web extras ({e.name} is missing): pip install 'jazz-lstm[web]'") from None
    if not 0 < port < 65536:
        raise JazzError(f"--port must be in 1..65535 (got {port})")
    out.print(f"jazz-lstm studio: http://{host}:{port}/  (Ctrl-C to stop)", highlight=False)
    try:
        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
    except OSError as e:
        raise JazzError(f"cannot listen on {host}:{port} ({e.strerror})") from None


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning user errors into one line and exit code 2."""
    try:
        app(args=argv, prog_name="jazz-lstm")
    except JazzError as e:
        err.print(f"[red]error:[/] {e}", highlight=False)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as e:  # a bug: say so briefly, full traceback only on request
        if "--debug" in sys.argv or __import__("os").environ.get("JAZZ_LSTM_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(e).__name__}: {e} (set JAZZ_LSTM_DEBUG=1 for the traceback)", highlight=False)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
