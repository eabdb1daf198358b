"""`jazz-lstm generate`, `demo` and `render`: improvise, and write what a person hears and sees."""
from __future__ import annotations

import os
from typing import Optional

import typer

from .cli import CHORDS_HELP, MELODY_HELP, MODEL_HELP, app, chords_option, err, load, out
from .errors import JazzError


def _stems(outdir: str, n: int) -> list[str]:
    import os

    return [os.path.join(outdir, "solo" if n == 1 else f"solo-{i + 1}") for i in range(n)]


FORMATS_HELP = "What to write beside the MIDI: comma-separated from wav,png,musicxml,svg,score.png; 'none' for MIDI only."


def _formats(spec: str) -> tuple:
    if spec.strip().lower() in ("none", ""):
        return ("mid",)
    return ("mid",) + tuple(f.strip().lower() for f in spec.split(",") if f.strip())


def _bar(label: str):
    """A transient progress bar on stderr (nothing when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                    TimeElapsedColumn(), console=err, transient=True)


def write_solos(solos, stems, formats, ck, cfg, model_path, default_model, accompany=True, soundfont=None, title=""):
    """Render each solo and write its manifest; print what was written.  Long solos say first
    what is coming (audio length, WAV size, pages); every stage shows on a progress bar."""
    from . import manifest
    from .music import merge_ties
    from .pianoroll import BARS_PER_PAGE
    from .render import render

    heavy = [f for f in formats if f != "mid"]
    for i, (solo, stem) in enumerate(zip(solos, stems)):
        seconds = solo.length_beats * 60.0 / solo.tempo
        if heavy and solo.n_bars > BARS_PER_PAGE:
            err.print(f"rendering {solo.n_bars} bars: {seconds / 60:.1f} min of audio"
                      + (f" (WAV about {seconds * 44100 * 4 / 1e6:.0f} MB)" if "wav" in formats else "")
                      + f", pictures in {-(-solo.n_bars // BARS_PER_PAGE)} pages of {BARS_PER_PAGE} bars", highlight=False)
        with _bar(f"rendering {os.path.basename(stem)}") as bar:
            task = bar.add_task("", total=len(formats))
            r = render(solo, stem, formats, title=f"{title} — seed {cfg.seed}" + (f", solo {i + 1}" if len(solos) > 1 else ""),
                       soundfont=soundfont, accompany=accompany,
                       on_stage=lambda name: bar.update(task, advance=1, description=name))
        for w in r.warnings:
            err.print(f"[yellow]warning:[/] {w}", highlight=False)
        data = manifest.build(solo, model_path=model_path, model_sha256=ck.sha256, default_model=default_model,
                              cfg=cfg.to_dict(), index=i, num_outputs=len(solos), accompany=accompany,
                              files=r.files, synth=r.synth)
        r.files["json"] = manifest.write(f"{stem}.json", data)
        out.print(f"wrote {r.files['mid']}  ({solo.n_bars} bars, {len(merge_ties(solo.notes))} notes)", highlight=False)
        for fmt, path in r.files.items():
            if fmt != "mid":
                pages = r.pages.get(fmt, [path])
                out.print(f"      {path}" + (f"  ({r.synth})" if fmt == "wav" else "")
                          + (f"  (+ {len(pages) - 1} more pages: {os.path.basename(pages[1])} ...)" if len(pages) > 1 else ""),
                          highlight=False)


@app.command()
def generate(
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    chords: Optional[str] = typer.Option(None, "--chords", "-c", help=CHORDS_HELP + " Or a tune file: its changes. Default: the training tune's changes."),
    outdir: str = typer.Option("out", "--output", "-o", help="Folder for solo.mid (solo-1.mid, ... with several outputs)."),
    bars: Optional[int] = typer.Option(None, help="Length in bars (default: the chart once, at most 32 bars; a shorter chart repeats)."),
    tempo: Optional[float] = typer.Option(None, help="Quarter notes per minute (default: the training tune's)."),
    temperature: Optional[float] = typer.Option(None, help="> 0: lower is safer, higher is wilder (default: 0.8 for the chord model, 1.0 for recipe models)."),
    top_k: int = typer.Option(0, "--top-k", help="Sample only among the k most likely values (0 = all)."),
    top_p: float = typer.Option(1.0, "--top-p", help="Sample only among the most likely values that reach this probability."),
    greedy: bool = typer.Option(False, "--greedy", help="Always take the most likely value (the recipe's argmax)."),
    seed: int = typer.Option(0, help="Same seed, same model, same options: the same MIDI bytes."),
    max_copy: int = typer.Option(8, "--max-copy", help="Novelty guard: never copy more than this many training values in a row (0 = off)."),
    fit: str = typer.Option("split", "--fit", help="A value longer than the rest of its bar: 'split' it with a tie, or 'mask' it out."),
    beam: int = typer.Option(0, "--beam", help="Beam search of this width instead of sampling: the likeliest solo, bar by bar (one solo)."),
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
        max_copy, fit, beam = s.get("max_copy", 0), s.get("fit", "split"), s.get("beam", 0)
        num_outputs, bars, tempo, no_accompaniment = m["num_outputs"], m["bars"], m["tempo"], not m["accompaniment"]
        if model is None and m["model"]["path"] != "default":
            model = m["model"]["path"]
    cfg = SampleConfig(temperature=temperature, top_k=top_k, top_p=top_p, greedy=greedy, seed=seed, max_copy=max_copy, fit=fit, beam=beam)
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
    from .generate import plan_bars, training_chords

    length = plan_bars(chart if chart is not None else training_chords(ck), bars, bpb)
    played = tempo or float(ck.chart.get("tempo", 120.0))
    secs = length * bpb * 60.0 / played
    err.print(f"improvising {num_outputs} solo{'s' if num_outputs > 1 else ''} of {length} bars "
              f"({int(secs // 60)}:{int(secs % 60):02d} each at {played:.0f} bpm) ...", highlight=False)
    with _bar("improvising") as progress:
        task = progress.add_task("bars", total=length)
        solos = improvise(ck, chart, bars, num_outputs, cfg, beats_per_bar=bpb, tempo=tempo,
                          on_bar=lambda done, total: progress.update(task, completed=done))
    stems = _stems(outdir, num_outputs)
    if m is not None:
        solos, stems = [solos[m["index"]]], [os.path.join(outdir, "solo")]
    title = os.path.basename(model) if model else "default model"
    write_solos(solos, stems, _formats(formats), ck, cfg, ck.path, model is None, not no_accompaniment, soundfont, title)




@app.command()
def demo(
    outdir: str = typer.Option("demo", "--output", "-o", help="Folder for the solo and everything made from it."),
    seed: int = typer.Option(0, help="Seeds the sampling (and the pitch choices)."),
    choruses: int = typer.Option(2, help="How many times round the 12-bar blues."),
    formats: str = typer.Option("wav,png,musicxml,svg,score.png", "--formats", help=FORMATS_HELP),
):
    """Improvise over a 12-bar jazz blues in F with the pretrained jazz model: hear it, see it.

    The model that ships with the package learnt from 54 transcribed jazz solos (Impro-Visor,
    GPL v2) and hears the changes.  Writes a MIDI file, a WAV to listen to, a piano roll and
    sheet music to look at, and a manifest that makes the same solo again.
    """
    import os

    from . import checkpoint
    from .charts import BLUES_12, parse_chart
    from .generate import improvise
    from .sample import SampleConfig

    if not 1 <= choruses <= 20:
        raise JazzError(f"--choruses must be in 1..20 (got {choruses})")
    ck = checkpoint.load(checkpoint.default_model_path())
    cfg = SampleConfig(seed=seed)
    err.print(f"improvising {choruses} chorus{'es' if choruses > 1 else ''} of a 12-bar blues in F ...", highlight=False)
    solos = improvise(ck, parse_chart(BLUES_12), 12 * choruses, 1, cfg, tempo=160.0)
    write_solos(solos, [os.path.join(outdir, "solo")], _formats(formats), ck, cfg, ck.path, True,
                title="12-bar blues in F, the jazz default model")


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
