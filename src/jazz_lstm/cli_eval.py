"""`jazz-lstm evaluate` and `studio`."""
from __future__ import annotations

from typing import Optional

import typer

from .cli import MODEL_HELP, app, chords_option, err, load, out
from .errors import JazzError


@app.command()
def evaluate(
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    tunes: Optional[list[str]] = typer.Option(None, "--tunes", help="Human solos to compare with; the first one's changes are improvised over unless --chords is given (default: the model's training tunes). Repeat for several; folders are searched."),
    chords: Optional[list[str]] = typer.Option(None, "--chords", "-c", help="Changes to improvise over: chart text, a chart file or a tune/leadsheet file. Repeat for several charts (one row each in the report)."),
    reference: Optional[list[str]] = typer.Option(None, "--reference", help="Solos whose pieces make the human band (default: --tunes). Files or folders."),
    heldout: Optional[list[str]] = typer.Option(None, "--heldout", help="Tunes the model did not train on: cross-entropy per value of the model and the n-gram baselines on them. Files or folders."),
    n: int = typer.Option(20, "--n", help="How many solos to generate per chart (and per baseline)."),
    bars: int = typer.Option(32, help="Length of each solo (and of the human pieces) in bars."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature, > 0 (default: 0.8 for the chord model, 1.0 for recipe models)."),
    top_p: float = typer.Option(1.0, "--top-p", help="Nucleus sampling threshold."),
    max_copy: int = typer.Option(8, "--max-copy", help="Novelty guard: at most this many training values in a row (0 = off)."),
    seed: int = typer.Option(0, help="Seeds the sampling."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write a self-contained HTML report here."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of a table."),
):
    """Measure a model against the shuffle, unigram and bigram baselines and the human band.

    Examples:
      jazz-lstm evaluate -m my.safetensors --tunes my_solo.mid -o report.html
      jazz-lstm evaluate --tunes solos/ --heldout other_solos/ --json
      jazz-lstm evaluate -m my.safetensors --tunes a.ls -c "Dm7 G7 | Cmaj7 |" -c charts/Blues.ls --n 10
    """
    import os

    from . import checkpoint
    from .corpus import tune_files
    from .evaluate import evaluate as run_evaluate
    from .fileio import write_atomic
    from .music import Solo
    from .report import cross_entropy_line, terminal_table, to_html, to_json
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
    expand = lambda specs: [load(t, None, None) for t in tune_files(specs)]  # noqa: E731
    solos = expand(names)
    charts = None
    if chords:
        bpb = solos[0].beats_per_bar
        charts = [Solo([], chords_option(c, bpb), bpb, solos[0].time_signature, solos[0].tempo, source=c) for c in chords]
    err.print(f"generating {n} solos of {bars} bars (and {n} of each baseline) over {len(charts or [1])} chart(s) ...",
              highlight=False)
    report = run_evaluate(ck, solos, n, bars, cfg, expand(heldout) if heldout else None,
                          expand(reference) if reference else None, charts)
    if as_json:
        out.print(to_json(report), highlight=False, markup=False)
    else:
        out.print(terminal_table(report))
        out.print(cross_entropy_line(report), highlight=False)
        for t in report["targets"]:
            mark = "[green]ok[/]" if t["ok"] else "[red]missed[/]"
            out.print(f"  {mark}  {t['target']}: {t['value']} {t.get('unit', '')}", highlight=False)
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
