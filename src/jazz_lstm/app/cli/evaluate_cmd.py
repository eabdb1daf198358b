"""`jazz-lstm evaluate`: a model beside the baselines and the human band."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from jazz_lstm.app.cli import options as o


def evaluate(
    models: Annotated[Optional[list[str]], typer.Option("--model", "-m", metavar="FILE", help=(
        "A model file from `jazz-lstm train` (default: the pretrained model that ships with the package). Repeat to "
        "compare models on the same tunes, charts and seed: one table, a column per model."))] = None,
    tunes: Annotated[Optional[list[str]], typer.Option("--tunes", metavar="FILES", help=(
        "Human solos to compare with; the first one's changes are improvised over unless --chords is given (default: "
        "the model's training tunes). Repeat for several; folders are searched."))] = None,
    chords: Annotated[Optional[list[str]], typer.Option("--chords", "-c", metavar="CHANGES", help=(
        "Changes to improvise over: chart text, a chart file or a tune/leadsheet file. Repeat for several charts "
        "(one row each in the report)."))] = None,
    reference: Annotated[Optional[list[str]], typer.Option("--reference", metavar="FILES", help=(
        "Solos whose pieces make the human band (default: --tunes). Files or folders."))] = None,
    heldout: Annotated[Optional[list[str]], typer.Option("--heldout", metavar="FILES", help=(
        "Tunes the model did not train on: cross-entropy per value of the model and the n-gram baselines on them."))] = None,
    n: Annotated[int, typer.Option("--n", metavar="N", help="How many solos to generate per chart (and per baseline).")] = 20,
    bars: Annotated[int, typer.Option("--bars", metavar="N", help="Length of each solo (and of the human pieces) in bars.")] = 32,
    temperature: Annotated[Optional[float], typer.Option("--temperature", metavar="X", help=(
        "Sampling temperature, > 0 (default: models.sample.CHORD_TEMPERATURE = 0.9 for the chord model, 1.0 for recipe models)."))] = None,
    top_p: Annotated[float, typer.Option("--top-p", metavar="P", help="Nucleus sampling threshold.")] = 1.0,
    max_copy: Annotated[int, typer.Option("--max-copy", metavar="K", help="Novelty guard (as for generate; 0 = off).")] = 8,
    seed: o.Seed = 0,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write a self-contained HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of a table.")] = False,
):
    """Measure a model against the shuffle, unigram and bigram baselines and the human band; or several
    models (-m A -m B) side by side.

    \b
    Examples:
      jazz-lstm evaluate --tunes my_solo.ls -o report.html
      jazz-lstm evaluate --tunes solos/ --heldout other_solos/ --json
      jazz-lstm evaluate --tunes a.ls -c "Dm7 G7 | Cmaj7 |" -c blues.txt --n 10
      jazz-lstm evaluate -m lstm.safetensors -m tf.safetensors --tunes held_out/ --heldout held_out/
    """
    from dataclasses import replace

    from jazz_lstm.core.errors import JazzError
    from jazz_lstm.core.fileio import check_output_file
    from jazz_lstm.eval.evaluate import evaluate_files
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.models.sample import SampleConfig

    if n < 1 or bars < 1:
        raise JazzError(f"--n and --bars must be >= 1 (got {n} and {bars})")
    if output:
        check_output_file(output)  # an output that cannot be written fails now, not after the solos
    cks = [load(m) for m in models or [default_model_path()]]  # every model file is checked before any work
    ck = cks[0]
    charts = [replace(o.changes(c, ck.chart.beats_per_bar), title=c) for c in chords or []]
    cfg = SampleConfig(temperature=temperature, top_p=top_p, max_copy=max_copy, seed=seed)
    o.err.print(f"generating {n} solos of {bars} bars (and {n} of each baseline) over {len(charts) or 1} chart(s)"
                + (f" for each of {len(cks)} models" if len(cks) > 1 else "") + " ...", highlight=False)
    if len(cks) > 1:
        return _compare(cks, tunes, n, bars, cfg, heldout, reference, charts or None, as_json, output)
    _show(evaluate_files(ck, tunes, n, bars, cfg, heldout, reference, charts or None), as_json, output)


def _show(report, as_json: bool, output: str | None) -> None:
    """One model's report: a table and its lines (or JSON) on stdout, the HTML page to `output`."""
    from jazz_lstm.core.fileio import write_atomic
    from jazz_lstm.eval.report import (
        cross_entropy_line,
        distinguishability_line,
        events_line,
        speed_line,
        terminal_table,
        to_html,
        to_json,
    )

    if as_json:
        o.out.print(to_json(report), highlight=False, markup=False)
    else:
        o.out.print(terminal_table(report))
        for line in (cross_entropy_line, events_line, distinguishability_line, speed_line):
            o.out.print(line(report), highlight=False)
        for t in report.targets:
            o.out.print(f"  {'[green]ok[/]' if t.ok else '[red]missed[/]'}  {t.target}: {t.value} {t.unit}",
                        highlight=False)
    if output:
        o.err.print(f"wrote {write_atomic(output, to_html(report))}")


def _compare(cks, tunes, n, bars, cfg, heldout, reference, charts, as_json, output) -> None:
    """`evaluate -m A -m B ...`: the models side by side (eval.compare)."""
    import json

    from jazz_lstm.core.fileio import write_atomic
    from jazz_lstm.eval.compare import compare_files, comparison_html, comparison_table

    cmp = compare_files(cks, tunes, n, bars, cfg, heldout, reference, charts,
                        on_model=lambda i, name: o.err.print(f"  model {i + 1} of {len(cks)}: {name}", highlight=False))
    if as_json:
        o.out.print(json.dumps(cmp.to_json(), indent=1, default=float), highlight=False, markup=False)
    else:
        o.out.print(comparison_table(cmp))
    if output:
        o.err.print(f"wrote {write_atomic(output, comparison_html(cmp))}")
