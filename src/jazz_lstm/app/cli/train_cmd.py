"""`jazz-lstm train`: the recipe on one tune, or the chord-aware model on a corpus."""
from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from jazz_lstm.app.cli import options as o
from jazz_lstm.models.chord.config import ChordConfig, CorpusTrainConfig
from jazz_lstm.models.recipe.config import ModelConfig, TrainConfig
from jazz_lstm.models.transformer.config import TransformerConfig

# the defaults, as the configs write them (torch-free modules: --help stays quick)
R, C, RM, CM, TM = TrainConfig(), CorpusTrainConfig(), ModelConfig(1), ChordConfig(), TransformerConfig()
KIND_HELP = (f"recipe: the course's one-hot LSTM({RM.hidden}) over the tunes' own values ({R.epochs} epochs, ~2 s); chord: the "
             "chord-aware model with factored values, for a corpus (transformer: the chord model with --arch transformer).  auto: chord "
             "when a folder or a leadsheet (.ls) is given, else recipe.")
ARCH_HELP = (f"The chord model's network: lstm (an nn.LSTM), or transformer (a causal Transformer: {TM.layers} pre-norm blocks of "
             f"{TM.hidden}, {TM.heads} heads, attending {TM.context} values back; same features, heads, masks, trainer and "
             "sampler).  A transformer implies --kind chord.")


def _opt(name: str, help: str, metavar: str = "N", short: str | None = None):
    return typer.Option(name, *([short] if short else []), metavar=metavar, help=help)


def train(
    tunes: Annotated[list[str], typer.Argument(metavar="TUNES...", help=o.TUNE_HELP + " Several files or folders "
                                               "(searched recursively) train one model.")],
    output: Annotated[str, _opt("--output", "Where to write the model (one .safetensors file).", "FILE", "-o")] = "model.safetensors",
    kind: Annotated[str, _opt("--kind", KIND_HELP, "KIND")] = "auto",
    arch: Annotated[str, _opt("--arch", ARCH_HELP, "ARCH")] = "lstm",
    melody_track: o.MelodyTrack = None,
    chords: o.Chords = None,
    epochs: Annotated[Optional[int], _opt("--epochs", f"Passes over the training windows (recipe: {R.epochs}; chord: {C.epochs}, with early stopping).")] = None,
    batch_size: Annotated[Optional[int], _opt("--batch-size", f"Windows per optimizer step (recipe: {R.batch_size}; chord: {C.batch_size}, the global batch under torchrun).")] = None,
    lr: Annotated[Optional[float], _opt("--lr", f"Adam learning rate (recipe: {R.lr:g} decayed as lr / (1 + {R.decay:g} * step); chord: {C.lr:g}).", "X")] = None,
    windows: Annotated[int, _opt("--windows", f"Recipe: random windows to train on (the course's m = {R.windows}); 0 = every window (see --stride).")] = R.windows,
    stride: Annotated[Optional[int], _opt("--stride", f"Distance between window starts, in values (recipe with --windows 0: {R.stride}; chord: {C.stride}).")] = None,
    tx: Annotated[Optional[int], _opt("--tx", f"Window length in values (recipe: the course's Tx = {R.Tx}; chord: {C.Tx}).")] = None,
    hidden: Annotated[Optional[int], _opt("--hidden", f"LSTM units (recipe: the course's n_a = {RM.hidden}; chord: {CM.hidden}); transformer: the residual width ({TM.hidden}).")] = None,
    layers: Annotated[Optional[int], _opt("--layers", f"Stacked LSTM layers (recipe: {RM.layers}; chord: {CM.layers}); transformer: blocks ({TM.layers}).")] = None,
    dropout: Annotated[Optional[float], _opt("--dropout", f"Dropout between layers and before the output (recipe: {RM.dropout:g}; chord: {CM.dropout:g}; transformer: {TM.dropout:g}).", "X")] = None,
    heads: Annotated[Optional[int], _opt("--heads", f"Transformer: attention heads per block ({TM.heads}).")] = None,
    context: Annotated[Optional[int], _opt("--context", f"Transformer: values each step attends to, itself included ({TM.context}; the training window --tx defaults to it).")] = None,
    embedding: Annotated[int, _opt("--embedding", "Recipe: 0 = one-hot input; N = a learned embedding of size N.")] = RM.embedding,
    val: Annotated[Optional[float], _opt("--val", f"Share of the tunes held out for validation (needs 2+ tunes; recipe: {R.val_fraction:g}; chord: {C.val_fraction:g}).", "X")] = None,
    patience: Annotated[Optional[int], _opt("--patience", f"Stop after this many epochs without a better validation loss (recipe: {R.patience} = never; chord: {C.patience}).")] = None,
    seed: Annotated[int, _opt("--seed", "Seeds the initial weights, the window order and the validation split.")] = 0,
    squeeze: Annotated[int, _opt("--squeeze", "Recipe: keep at most this many empty bars in a row (0 = keep all).")] = R.squeeze,
    jobs: Annotated[int, _opt("--jobs", "Processes reading the tunes (the result is the same with any number).", "N", "-j")] = 1,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first file that cannot be read (default: name it and skip it).")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Read every file again instead of using the cache of encoded tunes.")] = False,
    threads: Annotated[int, _opt("--threads", f"Torch and BLAS threads (0 = automatic: {R.threads} for the recipe).")] = C.threads,
    device: Annotated[str, _opt("--device", "Chord model: cpu, cuda or auto (a GPU when there is one).", "DEVICE")] = C.device,
    save_every: Annotated[int, _opt("--save-every", "Write a resumable checkpoint every N epochs (0 = at the end and on "
                                    "Ctrl-C/SIGTERM only): a kill -9 loses at most N epochs.")] = 0,
    resume: Annotated[bool, typer.Option("--resume", help="Continue training the model in --output up to --epochs, with the data options it was trained with.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
):
    """Train a model: the recipe on a tune in a couple of seconds, or the chord-aware model on a corpus.

    \b
    Examples:
      jazz-lstm train ../shared/data/original_metheny.mid -o my.safetensors
      jazz-lstm train ../shared/data/impro-visor/solos -o jazz.safetensors -j 2
      jazz-lstm train ../shared/data/wjazzd --arch transformer -o tf.safetensors
      torchrun --nproc_per_node 2 -m jazz_lstm train solos/ -o jazz.safetensors
    The recipe for one tune file, the chord model for a folder or leadsheets.
    Ctrl-C or SIGTERM writes a resumable checkpoint (continue with --resume).
    """
    from jazz_lstm.core.fileio import check_output_file
    from jazz_lstm.models.trainer import TrainRequest, prior, read_corpus, train_files

    req = TrainRequest(tunes=tunes, output=output, kind=kind, arch=arch, heads=heads, context=context, melody_track=melody_track, chart=o.changes(chords),
                       epochs=epochs, batch_size=batch_size, lr=lr, windows=windows, stride=stride, tx=tx, hidden=hidden,
                       layers=layers, dropout=dropout, embedding=embedding, val=val, patience=patience, seed=seed,
                       squeeze=squeeze, jobs=jobs, strict=strict, cache=not no_cache, threads=threads, device=device,
                       resume=resume, progress=None if quiet else o.EpochBar(), save_every=save_every)
    check_output_file(output)  # an output that cannot be written fails now, not after 100 epochs
    resume_from = prior(req)  # a model that cannot be resumed says so before the tunes are read
    with o.progress("reading tunes", disable=quiet) as bar:
        task = bar.add_task("", total=None)
        corpus = read_corpus(req, on_file=lambda done, total: bar.update(task, completed=done, total=total),
                             on_skip=lambda path, why: o.warn(f"skipped: {why}"))
    if not quiet:
        o.err.print(f"read {o.plural(len(corpus.tunes), 'tune')}, {corpus.n_values} values ({corpus.cached} from the cache)",
                    highlight=False)
    if val and len(corpus.tunes) < 2:
        o.warn("--val needs two or more tunes (it splits by tune); training without validation")
    try:
        with o.stop_on_signals():
            ck = train_files(req, corpus, resume_from)
    except KeyboardInterrupt:
        o.quit_interrupted(f"interrupted: a resumable checkpoint is in {output} (continue with --resume)")
    f = ck.train
    if int(os.environ.get("RANK", "0")) == 0:
        o.out.print(f"wrote {output}: {req.kind} model, {o.plural(len(corpus.tunes), 'tune')}, {o.plural(f.windows, 'window')}, "
                    f"{o.plural(f.epochs_done, 'epoch')}, "
                    f"loss {f.losses[0]:.2f} -> {f.losses[-1]:.2f}" + (f", val {min(f.val_losses):.2f}" if f.val_losses else "")
                    + f" nats/{ck.spec.loss_unit} in {f.seconds:.1f} s", highlight=False)
