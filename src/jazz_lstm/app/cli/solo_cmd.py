"""`jazz-lstm generate`, `demo` and `render`: improvise, and write what a person hears and sees."""
from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from jazz_lstm.app.cli import options as o


def _show(solos, stems, formats, ck, req, soundfont=None, title="") -> None:
    """Write each solo with its outputs and manifest (outputs.write_solo); long solos say
    first what is coming; every stage shows on one progress bar; print what was written.  One flush to
    disk for them all, at the end (fileio.one_sync)."""
    from jazz_lstm.core.fileio import one_sync

    with o.progress("writing" if len(solos) > 1 else f"rendering {os.path.basename(stems[0])}") as bar, one_sync():
        task = bar.add_task("", total=len(formats) * len(solos))  # one bar for all: one per solo cost more than the writes
        for i, (solo, stem) in enumerate(zip(solos, stems)):
            w, plan = _write(solo, stem, i, formats, ck, req, soundfont, title, len(solos),
                             lambda name: bar.update(task, advance=1, description=name))
            _written(w, plan, solo)


def _write(solo, stem, i, formats, ck, req, soundfont, title, n, advance):
    """write_solo, after saying what a long solo will bring."""
    from jazz_lstm.render.formats import plan_render
    from jazz_lstm.render.pianoroll import BARS_PER_PAGE
    from jazz_lstm.solo.outputs import write_solo

    plan = plan_render(solo, formats)
    if len(formats) > 1 and solo.n_bars > BARS_PER_PAGE:  # say first what is coming, and what is not
        o.err.print(f"rendering {solo.n_bars} bars: "
                    + (f"{plan.minutes:.1f} min of audio (WAV about {plan.wav_bytes / 1e6:.0f} MB), " if plan.wav_bytes else "")
                    + f"pictures in {o.plural(plan.pages, 'page')} of {BARS_PER_PAGE} bars", highlight=False)
        for note in plan.warnings:
            o.warn(note)
    w = write_solo(solo, stem, formats, ck, req, req.only if req.only is not None else i,
                   f"{title} — seed {req.cfg.seed}" + (f", solo {i + 1}" if n > 1 else ""), soundfont, advance)
    return w, plan


def _written(w, plan, solo) -> None:
    """What write_solo wrote, on stdout; its warnings on stderr."""
    from jazz_lstm.core.music import merge_ties
    from jazz_lstm.render.pianoroll import BARS_PER_PAGE

    for warning in w.warnings:
        if warning not in plan.warnings or not solo.n_bars > BARS_PER_PAGE:  # each said once
            o.warn(warning)
    o.out.print(f"wrote {w.files['mid']}  ({solo.n_bars} bars, {len(merge_ties(solo.notes))} notes)", highlight=False)
    for fmt, path in w.files.items():
        pages = w.pages.get(fmt, [path])
        if fmt != "mid":
            o.out.print(f"      {path}" + (f"  ({w.synth})" if fmt == "wav" else "")
                        + (f"  (+ {len(pages) - 1} more pages: {os.path.basename(pages[1])} ...)" if len(pages) > 1 else ""),
                        highlight=False)


def _improvise(req, outdir: str, formats: str, soundfont: str | None, title: str, chords: str | None = None,
               charts=()) -> None:
    from jazz_lstm.solo.outputs import check_outputs, improvise_request

    fmts = check_outputs(outdir, o.formats(formats), soundfont)  # before any work: a bad folder fails now
    ck = req.load_model()
    if chords:
        req.chart = o.changes(chords, ck.chart.beats_per_bar, charts or ())
    bars, bpb, tempo = req.plan(ck)
    secs = bars * bpb * 60.0 / tempo
    o.err.print(f"improvising {req.n} solo{'s' if req.n > 1 else ''} of {bars} bars "
                f"({int(secs // 60)}:{int(secs % 60):02d} each at {tempo:.0f} bpm) ...", highlight=False)
    with o.progress("improvising") as bar:
        task = bar.add_task("bars", total=bars)
        solos = improvise_request(ck, req, on_bar=lambda done, total: bar.update(task, completed=done))
    one = req.n == 1 or req.only is not None
    stems = [os.path.join(outdir, "solo" if one else f"solo-{i + 1}") for i in range(len(solos))]
    tune = tune_title(req.chart.title if req.chart is not None else ck.chart.title)
    _show(solos, stems, fmts, ck, req, soundfont, f"{tune} ({title})" if tune else title)


def tune_title(source: str) -> str:
    """The tune a chart names, for the score's title: a leadsheet's or library chart's title as it is, a
    chart file's name without its folder and extension; "" for typed changes."""
    if not source or source == "chart":
        return ""
    base = os.path.basename(source)
    return os.path.splitext(base)[0] if base != source or os.path.splitext(base)[1] else source


def generate(
    model: o.Model = None,
    chords: Annotated[Optional[str], typer.Option("--chords", "-c", metavar="CHANGES", help=(
        o.CHORDS_HELP + " Default: the training tune's changes."))] = None,
    outdir: Annotated[str, typer.Option("--output", "-o", metavar="DIR", help=(
        "Folder for solo.mid (solo-1.mid, ... with several outputs)."))] = "out",
    bars: Annotated[Optional[int], typer.Option("--bars", metavar="N", help=(
        "Length in bars (default: the chart's whole form once -- a chart over 64 bars, its first 32; a shorter "
        "length cuts it, a longer one goes round again)."))] = None,
    choruses: Annotated[Optional[int], typer.Option("--choruses", metavar="N", help=(
        "Without --bars: this many times round the chart's form."))] = None,
    tempo: Annotated[Optional[float], typer.Option("--tempo", metavar="BPM", help=(
        "Quarter notes per minute (default: the chart's own tempo where it writes one -- a leadsheet, a tune, an iReal "
        "Pro chart -- else the model's training tune's)."))] = None,
    temperature: Annotated[Optional[float], typer.Option("--temperature", metavar="X", help=(
        "> 0: lower is safer, higher is wilder (default: models.sample.CHORD_TEMPERATURE = 0.9 for the chord model, 1.0 for recipe models)."))] = None,
    top_k: Annotated[int, typer.Option("--top-k", metavar="K", help="Sample only among the k most likely values (0 = all).")] = 0,
    top_p: Annotated[float, typer.Option("--top-p", metavar="P", help=(
        "Sample only among the most likely values that reach this probability."))] = 1.0,
    greedy: Annotated[bool, typer.Option("--greedy", help="Always take the most likely value (the recipe's argmax).")] = False,
    seed: o.Seed = 0,
    max_copy: Annotated[int, typer.Option("--max-copy", metavar="K", help=(
        "Novelty guard: never copy more than this many notes of a training solo in a row (values, for recipe "
        "models; 0 = off)."))] = 8,
    fit: Annotated[str, typer.Option("--fit", metavar="split|mask", help=(
        "A value longer than the rest of its bar: 'split' it with a tie, or 'mask' it out."))] = "split",
    beam: Annotated[int, typer.Option("--beam", metavar="N", help=(
        "Beam search of this width instead of sampling: the likeliest solo, bar by bar (one solo)."))] = 0,
    num_outputs: Annotated[int, typer.Option("--num-outputs", "-n", metavar="N", help=(
        "How many solos (sampled together in one batch)."))] = 1,
    swing: o.Swing = "auto",
    no_drums: o.NoDrums = False,
    instrument: o.Instrument = None,
    transpose_for: o.TransposeFor = "C",
    breath: Annotated[float, typer.Option("--breath", metavar="X", help=(
        "Chord model: how much likelier a breath is after each note of a phrase (0 = the model alone, which "
        "breathes too little)."))] = 1.3,
    pace: Annotated[float, typer.Option("--pace", metavar="X", help=(
        "Chord model: fewer sixteenths above 160 bpm, this much per 80 bpm (0 = the model alone: the default "
        "model hears the tempo; 1 for models without the tempo input, made by 0.3.0 and before)."))] = 0.0,
    change: Annotated[float, typer.Option("--change", metavar="X", help=(
        "Chord model: a chord tone is this much less likely in the first beat of a chord change (0 = the model "
        "alone, which meets the changes on chord tones more often than the humans do)."))] = 0.15,
    cadence: Annotated[bool, typer.Option("--cadence/--no-cadence", help=(
        "Chord model: end on a chord tone on the last bar's downbeat, held, then rest (default: stop wherever "
        "the line is, as the measured figures do; `demo` lands)."))] = False,
    motif: Annotated[int, typer.Option("--motif", metavar="BARS", help=(
        "Chord model: restate the solo's opening motif every BARS bars (8 for the A sections of a 32-bar tune), "
        "moved with the chords' roots -- over the same chord as it was, over another as a sequence (0 = off)."))] = 0,
    threads: Annotated[int, typer.Option("--threads", metavar="N", help=(
        "Torch and BLAS threads while sampling (1: as fast on these small networks, and steady beside a busy "
        "neighbour)."))] = 1,
    no_accompaniment: Annotated[bool, typer.Option("--no-accompaniment", help="Write the melody alone (no comping, no bass).")] = False,
    formats: o.Formats = o.ALL_FORMATS,
    soundfont: o.Soundfont = None,
    from_manifest: Annotated[Optional[str], typer.Option("--from-manifest", metavar="FILE", help=(
        "Make the identical MIDI again from a solo.json (its model, changes and settings)."))] = None,
    charts: o.ChartDirs = None,
):
    """Improvise solos over chord changes; write MIDI, audio, pictures and a manifest.

    \b
    Examples:
      jazz-lstm generate -o out
      jazz-lstm generate --chords "Dm7 G7 | Cmaj7 | % |" --bars 16 -n 4 --seed 7
      jazz-lstm generate --chords examples/blues_in_f.txt --temperature 0.9
      jazz-lstm generate --chords "autumn leaves" --charts ~/charts
      jazz-lstm generate --from-manifest out/solo.json -o again
    Each solo gets STEM.mid, .wav, .png (piano roll), .musicxml, .svg and
    .score.png (sheet music), and .json, the manifest that makes it again.
    """
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.outputs import SoloRequest, replay

    if from_manifest:
        req = replay(from_manifest, model)
    else:
        cfg = SampleConfig(temperature=temperature, top_k=top_k, top_p=top_p, greedy=greedy, seed=seed, max_copy=max_copy,
                           fit=fit, beam=beam, threads=threads, breath=breath, pace=pace, cadence=cadence,
                           motif=motif, change=change)
        req = SoloRequest(model=model, bars=bars, tempo=tempo, cfg=cfg, n=num_outputs, accompany=not no_accompaniment,
                          feel=o.feel(swing, no_drums, instrument), choruses=choruses, transpose_for=transpose_for)
    title = os.path.basename(req.model) if req.model else "default model"
    _improvise(req, outdir, formats, soundfont, title, None if from_manifest else chords, charts)


def demo(
    outdir: Annotated[str, typer.Option("--output", "-o", metavar="DIR", help="Folder for the solo and everything made from it.")] = "out/demo",
    seed: o.Seed = 0,
    choruses: Annotated[int, typer.Option("--choruses", metavar="N", help="How many times round the 12-bar blues (1..20).")] = 2,
    formats: o.Formats = o.ALL_FORMATS,
    swing: o.Swing = "auto",
    no_drums: o.NoDrums = False,
    instrument: o.Instrument = None,
):
    """Improvise over a 12-bar jazz blues in F with the pretrained jazz model: hear it, see it.

    The model that ships with the package learnt from 346 solos of the Weimar Jazz Database
    (ODbL) and hears the changes; each chorus opens with the first one's motif, moved with the
    chords, and the last bar lands.  Writes a MIDI file and a WAV to listen to -- swung as the
    database's soloists swing at the tempo, with comping, bass and drums --, a piano roll and
    sheet music to look at, and a manifest that makes the same solo again.
    """
    from jazz_lstm.core.charts import BLUES_12
    from jazz_lstm.core.errors import JazzError
    from jazz_lstm.io.changes import read_changes
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.outputs import SoloRequest

    if not 1 <= choruses <= 20:
        raise JazzError(f"--choruses must be in 1..20 (got {choruses})")
    cfg = SampleConfig(seed=seed, cadence=True, motif=12)  # each chorus opens with the motif; the last bar lands
    req = SoloRequest(chart=read_changes(BLUES_12), bars=12 * choruses, tempo=160.0, cfg=cfg,
                      feel=o.feel(swing, no_drums, instrument))
    _improvise(req, outdir, formats, None, "12-bar blues in F, the jazz default model")


def render(
    midi: Annotated[str, typer.Argument(metavar="FILE", help="A MIDI file (or MusicXML/ABC/.ls): its melody and chords are rendered.")],
    outdir: Annotated[Optional[str], typer.Option("--output", "-o", metavar="DIR", help="Folder for the outputs (default: beside the file).")] = None,
    formats: o.Formats = o.ALL_FORMATS,
    soundfont: o.Soundfont = None,
    melody_track: o.MelodyTrack = None,
    chords: o.Chords = None,
):
    """Render a solo to audio (WAV), a piano roll (PNG) and sheet music (MusicXML, SVG, PNG).

    \b
    Examples:
      jazz-lstm render out/solo.mid
      jazz-lstm render my_solo.mid -o pics --formats png,svg --soundfont ~/sf2/jazz.sf2
    """
    from jazz_lstm.render.formats import render as run_render
    from jazz_lstm.solo.outputs import check_outputs

    folder = outdir or os.path.dirname(os.path.abspath(midi))
    check_outputs(folder, o.formats(formats), soundfont)
    solo = o.tune(midi, melody_track, chords)
    stem = os.path.join(folder, os.path.splitext(os.path.basename(midi))[0])
    with o.progress(f"rendering {os.path.basename(stem)}") as bar:
        fmts = tuple(f for f in o.formats(formats) if f != "mid")
        task = bar.add_task("", total=len(fmts))
        r = run_render(solo, stem, fmts, title=os.path.basename(midi), soundfont=soundfont,
                       on_stage=lambda name: bar.update(task, advance=1, description=name))
    for w in r.warnings:
        o.warn(w)
    for fmt, path in r.files.items():
        o.out.print(f"wrote {path}" + (f"  ({r.synth})" if fmt == "wav" else ""), highlight=False)
