"""Improvising and writing a solo with everything made from it -- the one path the CLI
(`generate`, `demo`) and the studio share:

    req = SoloRequest(chart=read_changes("Dm7 G7 | Cmaj7 |"), bars=8, cfg=SampleConfig(seed=7))
    solos = improvise_request(ck, req)
    written = write_solo(solos[0], "out/solo", ("mid", "wav"), ck, req)   # + out/solo.json, the manifest
    req = replay("out/solo.json")                                       # the request that made it
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.feel import TRANSPOSE_FOR, Feel
from jazz_lstm.core.fileio import check_output_dir, remove_quietly
from jazz_lstm.core.music import Solo
from jazz_lstm.models.checkpoint import Checkpoint, default_model_path, load
from jazz_lstm.models.sample import SampleConfig
from jazz_lstm.render.formats import FORMATS, PICTURES, render
from jazz_lstm.render.synth import find_soundfont
from jazz_lstm.solo.generate import improvise, plan_bars
from jazz_lstm.solo.manifest import Manifest, read, write

MAX_BARS = 10_000  # longest solo (bars)
MAX_OUTPUTS = 10_000  # most solos in one batch


@dataclass(kw_only=True)
class SoloRequest:
    """What to improvise.  model: a model file (None: the shipped model).  chart: the
    changes (None: the model's training tune's).  bars: length (None: `choruses` times the chart's
    form, or once -- see generate.plan_bars).  tempo: quarter notes per minute (None: the chart's or
    the model's).
    n: how many solos, sampled together.  only: replay just this index of the batch."""

    model: str | None = None
    chart: Chart | None = None
    bars: int | None = None
    tempo: float | None = None
    cfg: SampleConfig = field(default_factory=SampleConfig)
    n: int = 1
    accompany: bool = True
    only: int | None = None
    expect_sha256: str = ""  # a replay: the model must be this one
    feel: Feel = field(default_factory=Feel)  # how the MIDI and audio play it: swing by tempo, accents, drums
    choruses: int | None = None  # without bars: this many times round the chart's form (None: once)
    transpose_for: str = "C"  # the score for a transposing instrument: "Bb", "Eb", "tenor" (core.feel.TRANSPOSE_FOR)

    def __post_init__(self):
        if not 1 <= self.n <= MAX_OUTPUTS:
            raise JazzError(f"the number of solos must be in 1..{MAX_OUTPUTS} (got {self.n})", field="n")
        if self.bars is not None and not 1 <= self.bars <= MAX_BARS:
            raise JazzError(f"a solo's length must be in 1..{MAX_BARS} bars (got {self.bars})", field="bars")
        if self.transpose_for not in TRANSPOSE_FOR:
            raise JazzError(f"--transpose-for takes {', '.join(TRANSPOSE_FOR)} (got {str(self.transpose_for)[:20]!r})",
                            field="transpose_for")
        if self.choruses is not None and not 1 <= self.choruses <= 100:
            raise JazzError(f"choruses must be in 1..100 (got {self.choruses})", field="choruses")
        if self.tempo is not None and not 10 <= self.tempo <= 400:
            raise JazzError(f"the tempo must be in 10..400 quarter notes per minute (got {self.tempo})", field="tempo")

    def load_model(self) -> Checkpoint:
        """The model this request names, checked against the manifest's hash on a replay."""
        ck = load(self.model or default_model_path())
        if self.expect_sha256 and ck.sha256 != self.expect_sha256:
            raise JazzError("the model is not the one this manifest was made with (sha256 differs)", ck.path)
        return ck

    def plan(self, ck: Checkpoint) -> tuple[int, float, float]:
        """(bars, beats per bar, tempo) the solos will have."""
        chart = self.chart or ck.chart
        tempo = self.tempo or (chart.tempo if self.chart is not None and chart.timed else ck.chart.tempo)  # --tempo, the chart's, the model's
        return plan_bars(list(chart.chords), self.bars, chart.beats_per_bar, self.choruses), chart.beats_per_bar, tempo


def check_outputs(folder: str, formats, soundfont: str | None = None) -> tuple:
    """Before any work: the formats are known, `folder` can be written, a given soundfont
    is one.  Returns the formats, MIDI first; JazzError naming what is wrong."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise JazzError(f"unknown format(s) {', '.join(sorted(unknown))} (choose from {', '.join(FORMATS)}, or none)",
                        field="formats")
    check_output_dir(folder)
    if soundfont and "wav" in formats:
        find_soundfont(soundfont)
    return ("mid",) + tuple(f for f in formats if f != "mid")


def improvise_request(ck: Checkpoint, req: SoloRequest, on_bar=None) -> list[Solo]:
    """The solos `req` asks for (one, when it replays one index of a batch)."""
    bars, bpb, tempo = req.plan(ck)
    chords = list(req.chart.chords) if req.chart is not None else None
    solos = improvise(ck, chords, bars, req.n, req.cfg, beats_per_bar=bpb, tempo=tempo, on_bar=on_bar,
                      sections=req.chart.sections if req.chart is not None else ())
    return [solos[req.only]] if req.only is not None else solos


@dataclass
class Written:
    """What `write_solo` wrote: files by format, extra pages by format, the synthesizer used
    for the WAV, warnings (a renderer that is missing), and the manifest."""

    files: dict
    pages: dict
    synth: str
    warnings: list
    manifest: Manifest


def write_solo(solo: Solo, stem: str, formats, ck: Checkpoint, req: SoloRequest, index: int = 0, title: str = "",
               soundfont: str | None = None, on_stage=None) -> Written:
    """Render `solo` to STEM.mid and the other `formats`, then write STEM.json, its manifest
    (what replays it: `replay(STEM.json)`)."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise JazzError(f"unknown format(s) {', '.join(sorted(unknown))} (choose from {', '.join(FORMATS)})")
    formats = ("mid",) + tuple(f for f in formats if f != "mid")
    folder = os.path.dirname(os.path.abspath(stem))
    made_folder, before = not os.path.isdir(folder), _files_of(stem, formats)
    try:
        r = render(solo, stem, formats, title=title, soundfont=soundfont, accompany=req.accompany, on_stage=on_stage,
                   feel=req.feel, transpose_for=req.transpose_for)
        m = Manifest.build(solo, ck, req.cfg, default_model=req.model is None, index=index, num_outputs=req.n,
                           accompany=req.accompany, feel=req.feel, transpose_for=req.transpose_for)
        m.files, m.audio = {k: os.path.basename(v) for k, v in r.files.items()}, r.synth
        r.files["json"] = write(f"{stem}.json", m)
    except BaseException:  # disk full, interrupted: no half-written solo is left behind
        for path in _files_of(stem, formats) - before:
            remove_quietly(path)
        if made_folder and os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
        raise
    return Written(r.files, r.pages, r.synth, r.warnings, m)


def _files_of(stem: str, formats=FORMATS) -> set:
    """The files of a solo that exist: STEM.FMT for the formats and the manifest, and the extra
    pages (STEM-pK.*) of the formats that have pages -- looked up by name, not by listing a
    folder that may hold thousands of solos."""
    import glob

    found = {p for p in (f"{stem}.{f}" for f in tuple(formats) + ("json",)) if os.path.exists(p)}
    if set(formats) & set(PICTURES):
        found |= set(glob.glob(glob.escape(stem) + "-p*"))
    return found


def replay(path: str, model: str | None = None) -> SoloRequest:
    """The request that made the solo of manifest `path` (`model` overrides where its model
    file moved); improvise_request(load_model(), ...) makes the identical MIDI again."""
    m = read(path)
    return SoloRequest(model=model or (None if m.model_path == "default" else m.model_path), chart=m.chart,
                       bars=m.bars, tempo=m.tempo, cfg=m.sampling, feel=m.feel, transpose_for=m.transpose_for, n=m.num_outputs, accompany=m.accompaniment, only=m.index,
                       expect_sha256=m.model_sha256)
