"""`jazz-lstm train`: the recipe on one tune, or the chord-aware model on a corpus."""
from __future__ import annotations

from typing import Optional

import typer

from .cli import CHORDS_HELP, MELODY_HELP, TUNE_HELP, app, chords_option, err, out
from .errors import EXIT_INTERRUPTED, JazzError

KIND_HELP = ("recipe: the course's one-hot LSTM(64) over the tunes' own values (100 epochs, ~2 s); chord: the chord-aware "
             "model with factored values, for a corpus.  auto: chord when a folder or a leadsheet (.ls) is given, else recipe.")


@app.command()
def train(
    tunes: list[str] = typer.Argument(..., help=TUNE_HELP + " Several files or folders (searched recursively) train one model."),
    output: str = typer.Option("model.safetensors", "--output", "-o", help="Where to write the model (one .safetensors file)."),
    kind: str = typer.Option("auto", "--kind", help=KIND_HELP),
    melody_track: Optional[str] = typer.Option(None, "--melody-track", "-t", help=MELODY_HELP),
    chords: Optional[str] = typer.Option(None, "--chords", "-c", help=CHORDS_HELP + " Applies to every tune."),
    epochs: Optional[int] = typer.Option(None, help="Passes over the training windows (recipe: 100; chord: 40, with early stopping)."),
    batch_size: Optional[int] = typer.Option(None, help="Windows per optimizer step (recipe: 32; chord: 32, the global batch under torchrun)."),
    lr: Optional[float] = typer.Option(None, help="Adam learning rate (recipe: 0.01 decayed as lr / (1 + 0.01 * step); chord: 0.003)."),
    windows: int = typer.Option(60, help="Recipe: random windows to train on (the course's m = 60); 0 = every window (see --stride)."),
    stride: Optional[int] = typer.Option(None, help="Distance between window starts, in values (recipe with --windows 0: 1; chord: 32)."),
    tx: Optional[int] = typer.Option(None, "--tx", help="Window length in values (recipe: the course's Tx = 30; chord: 64)."),
    hidden: Optional[int] = typer.Option(None, help="LSTM units (recipe: the course's n_a = 64; chord: 256)."),
    layers: Optional[int] = typer.Option(None, help="Stacked LSTM layers (recipe: 1; chord: 2)."),
    dropout: Optional[float] = typer.Option(None, help="Dropout between layers and before the output (recipe: 0; chord: 0.5)."),
    embedding: int = typer.Option(0, help="Recipe: 0 = one-hot input; N = a learned embedding of size N."),
    val: Optional[float] = typer.Option(None, "--val", help="Share of the tunes held out for validation (needs 2+ tunes; recipe: 0; chord: 0.1)."),
    patience: Optional[int] = typer.Option(None, help="Stop after this many epochs without a better validation loss (recipe: 0 = never; chord: 6)."),
    seed: int = typer.Option(0, help="Seeds the initial weights, the window order and the validation split."),
    squeeze: int = typer.Option(0, help="Recipe: keep at most this many empty bars in a row (0 = keep all)."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Processes reading the tunes (the result is the same with any number)."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first file that cannot be read (default: name it and skip it)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Read every file again instead of using the cache of encoded tunes."),
    threads: int = typer.Option(0, "--threads", help="Torch and BLAS threads (0 = automatic: 1 for the recipe)."),
    device: str = typer.Option("auto", "--device", help="Chord model: cpu, cuda or auto (a GPU when there is one)."),
    resume: bool = typer.Option(False, "--resume", help="Continue training the model in --output up to --epochs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
):
    """Train a model: the recipe on a tune in a couple of seconds, or the chord-aware model on a corpus.

    Examples:
      jazz-lstm train my_solo.mid -o my.safetensors                       # the recipe
      jazz-lstm train ../shared/data/impro-visor/solos -o jazz.safetensors -j 2   # a corpus (chord model)
      jazz-lstm train a.mid b.xml c.abc --windows 0 --stride 2 --epochs 40 --val 0.2 --patience 5
      torchrun --nproc_per_node 2 -m jazz_lstm train solos/ -o jazz.safetensors  # DDP, 2 processes
    Ctrl-C writes a resumable checkpoint.
    """
    import os

    from . import checkpoint

    if kind not in ("auto", "recipe", "chord"):
        raise JazzError(f"--kind must be auto, recipe or chord (got {kind!r})")
    if kind == "auto":
        kind = "chord" if any(os.path.isdir(t) or t.lower().endswith(".ls") for t in tunes) else "recipe"
    if kind == "recipe" and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise JazzError("the recipe trains in one process (60 windows); under torchrun use the chord model (--kind chord)")
    chart = chords_option(chords)
    prior = checkpoint.load(output) if resume else None
    if prior is not None and prior.kind != kind:
        raise JazzError(f"--resume: {output} holds a {prior.kind} model, not a {kind} model")
    corpus = _read(tunes, jobs, strict, no_cache, melody_track, chart, quiet)
    try:
        if kind == "chord":
            ck = _train_chord(corpus, output, prior, quiet, epochs, batch_size, lr, stride, tx, hidden, layers, dropout,
                              val, patience, seed, threads, device)
        else:
            ck = _train_recipe(corpus, output, prior, quiet, epochs, batch_size, lr, windows, stride, tx, hidden, layers,
                               dropout, embedding, val, patience, seed, squeeze, threads)
    except KeyboardInterrupt:
        err.print(f"interrupted: a resumable checkpoint is in {output} (continue with --resume)")
        raise SystemExit(EXIT_INTERRUPTED) from None
    f = ck.train
    if int(os.environ.get("RANK", "0")) == 0:
        out.print(f"wrote {output}: {kind} model, {len(corpus.tunes)} tunes, {f['windows']} windows, {f['epochs_done']} epochs, "
                  f"loss {f['losses'][0]:.2f} -> {f['losses'][-1]:.2f}" + (f", val {min(f['val_losses']):.2f}" if f.get("val_losses") else "")
                  + (" nats/value" if kind == "chord" else "") + f" in {f['seconds']:.1f} s", highlight=False)


def _read(tunes, jobs, strict, no_cache, melody_track, chart, quiet):
    from .corpus import prepare, tune_files

    files = tune_files(tunes)
    bar = None
    if not quiet and len(files) > 20:
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(console=Console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("reading tunes", total=len(files))
    try:
        corpus = prepare(files, jobs=jobs, cache=not no_cache, strict=strict, melody_track=melody_track, chords=chart,
                         on_file=(lambda done, total: bar.update(task, completed=done)) if bar else None)
    finally:
        if bar:
            bar.stop()
    for path, why in corpus.skipped:
        err.print(f"[yellow]skipped:[/] {why}", highlight=False)
    if not corpus.tunes:
        raise JazzError("none of the tunes could be read")
    if not quiet:
        err.print(f"read {len(corpus.tunes)} tunes, {corpus.n_values} values ({corpus.cached} from the cache)", highlight=False)
    return corpus


def _train_chord(corpus, output, prior, quiet, epochs, batch_size, lr, stride, tx, hidden, layers, dropout, val, patience,
                 seed, threads, device):
    from .chordlstm import ChordConfig
    from .chordtrain import CorpusTrainConfig, train_corpus

    d, m = CorpusTrainConfig(), ChordConfig()
    cfg = CorpusTrainConfig(Tx=_or(tx, d.Tx), stride=_or(stride, d.stride), epochs=_or(epochs, d.epochs),
                            batch_size=_or(batch_size, d.batch_size), lr=_or(lr, d.lr), val_fraction=_or(val, d.val_fraction),
                            patience=_or(patience, d.patience), seed=seed, threads=threads, device=device)
    if cfg.val_fraction and len(corpus.tunes) < 2:
        cfg.val_fraction = 0.0
    mcfg = ChordConfig(hidden=_or(hidden, m.hidden), layers=_or(layers, m.layers), dropout=_or(dropout, m.dropout))
    return train_corpus(corpus, cfg, mcfg, out=output, progress=not quiet, resume=prior)


def _train_recipe(corpus, output, prior, quiet, epochs, batch_size, lr, windows, stride, tx, hidden, layers, dropout,
                  embedding, val, patience, seed, squeeze, threads):
    from .train import TrainConfig
    from .train import train as run_train

    cfg = TrainConfig(Tx=_or(tx, 30), windows=windows, stride=_or(stride, 1), epochs=_or(epochs, 100),
                      batch_size=_or(batch_size, 32), lr=_or(lr, 0.01), val_fraction=_or(val, 0.0), patience=_or(patience, 0),
                      seed=seed, squeeze=squeeze, threads=threads or 1)
    hidden, layers, dropout = _or(hidden, 64), _or(layers, 1), _or(dropout, 0.0)
    if min(hidden, layers) < 1 or embedding < 0 or not 0 <= dropout < 1:
        raise JazzError("--hidden and --layers must be >= 1, --embedding >= 0, --dropout in [0, 1)")
    if val and len(corpus.tunes) < 2:
        err.print("[yellow]warning:[/] --val needs two or more tunes (it splits by tune); training without validation",
                  highlight=False)
    return run_train(corpus.tunes, cfg, dict(hidden=hidden, layers=layers, dropout=dropout, embedding=embedding),
                     out=output, resume=prior, progress=not quiet, names=[t.source for t in corpus.tunes])


def _or(value, default):
    """The option's value, or the model kind's default when it was not given."""
    return default if value is None else value
