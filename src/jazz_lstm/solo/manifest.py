"""The manifest `solo.json` beside every generated solo: everything needed to make the
identical MIDI again (`jazz-lstm generate --from-manifest solo.json`) and to cite it.

    m = Manifest.build(solo, ck, cfg)       # a typed record
    write(path, m); m = read(path)          # JSON on disk (format version 1)
"""
from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.feel import Feel
from jazz_lstm.core.fileio import read_bytes, write_atomic
from jazz_lstm.models.sample import SampleConfig

VERSION = 1
MAX_MANIFEST_BYTES = 64 * 2**20  # a manifest holds one solo's tokens: a few hundred KB


def versions() -> dict[str, str | None]:
    """Versions of the package and the libraries that shape the output (read once a process)."""
    return dict(_versions())


@lru_cache(maxsize=1)
def _versions() -> tuple:
    out = {"python": platform.python_version()}
    for name in ("jazz-lstm", "torch", "numpy", "music21", "symusic", "safetensors", "matplotlib", "verovio"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return tuple(out.items())


@dataclass(kw_only=True)
class Manifest:
    """How one solo was made.  model_path: the model file ("default": the shipped one);
    model_sha256: its hash (checked on replay).  sampling: the SampleConfig's fields.
    index, num_outputs: this solo's place in its batch.  bars, tempo (quarter notes per
    minute), chart: what it was played over.  tokens: the sampled values.  files: the
    outputs written beside it, by format.  audio: the synthesizer that made the WAV."""

    model_path: str
    model_sha256: str
    sampling: SampleConfig
    chart: Chart
    bars: int
    tempo: float
    tokens: list[str] = field(default_factory=list)
    index: int = 0
    num_outputs: int = 1
    accompaniment: bool = True
    audio: str = ""
    files: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    versions: dict[str, str | None] = field(default_factory=dict)
    feel: Feel = field(default_factory=Feel.straight)  # how the MIDI was played (manifests before feels: as written)
    transpose_for: str = "C"  # the part the sheet music was written for (core.feel.TRANSPOSE_FOR)

    @classmethod
    def build(cls, solo, ck, cfg, default_model: bool = False, index: int = 0, num_outputs: int = 1,
              accompany: bool = True, feel: Feel | None = None, transpose_for: str = "C") -> Manifest:
        """The manifest of a generated Solo made by checkpoint `ck` with SampleConfig `cfg`."""
        chart = Chart(tuple(solo.chords), solo.beats_per_bar, solo.tempo, solo.key, sections=solo.sections)
        return cls(model_path="default" if default_model else ck.path, model_sha256=ck.sha256, sampling=cfg, chart=chart,
                   bars=solo.n_bars, tempo=solo.tempo, tokens=list(solo.tokens), index=index, num_outputs=num_outputs,
                   accompaniment=accompany, command=sys.argv[:], versions=versions(), feel=feel or Feel(),
                   transpose_for=transpose_for)

    def to_json(self) -> dict:
        return {
            "manifest": VERSION, "command": self.command,
            "model": {"path": self.model_path, "sha256": self.model_sha256},
            "seed": self.sampling.seed, "sampling": self.sampling.to_dict(), "index": self.index,
            "num_outputs": self.num_outputs, "bars": self.bars, "tempo": self.tempo,
            "beats_per_bar": self.chart.beats_per_bar, "chart": self.chart.text(),
            "chords": self.chart.to_json()["chords"], "tokens": self.tokens, "accompaniment": self.accompaniment,
            "audio": self.audio, "files": self.files, "versions": self.versions, "feel": self.feel.to_json(),
            "transpose_for": self.transpose_for,
            **({"sections": list(self.chart.sections)} if self.chart.sections else {}),  # (the form, where known)
        }

    @classmethod
    def from_json(cls, data) -> Manifest:
        """The inverse of to_json; ValueError naming what is wrong."""
        need = {"manifest", "model", "sampling", "index", "num_outputs", "bars", "tempo", "beats_per_bar", "chords"}
        if not isinstance(data, dict) or not need <= set(data):
            raise ValueError("not a jazz-lstm manifest (fields missing)")
        if data["manifest"] != VERSION:
            raise ValueError(f"manifest version {data['manifest']} is not supported")
        model, sampling = data["model"], data["sampling"]
        if not isinstance(model, dict) or not isinstance(model.get("path"), str) or not isinstance(sampling, dict):
            raise ValueError("the manifest's model or sampling is malformed")
        ints = {k: data[k] for k in ("index", "num_outputs", "bars")}
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in ints.values()):
            raise ValueError("index, num_outputs and bars must be whole numbers >= 0")
        if not ints["index"] < ints["num_outputs"] <= 10_000 or not 1 <= ints["bars"] <= 10_000:
            raise ValueError("index, num_outputs or bars out of range")
        chart = Chart.from_json({"chords": data["chords"], "beats_per_bar": data["beats_per_bar"],
                                 "tempo": data["tempo"], "sections": data.get("sections", [])})
        names = {f.name for f in fields(SampleConfig)}  # older manifests may lack some fields
        try:
            cfg = SampleConfig(**{**MADE_WITHOUT, **{k: v for k, v in sampling.items() if k in names}})
        except (TypeError, ValueError):
            raise ValueError("the manifest's sampling settings are malformed") from None
        return cls(model_path=model["path"], model_sha256=str(model.get("sha256", "")), sampling=cfg, chart=chart,
                   bars=ints["bars"], tempo=chart.tempo, tokens=list(data.get("tokens") or []), index=ints["index"],
                   num_outputs=ints["num_outputs"], accompaniment=bool(data.get("accompaniment", True)),
                   audio=str(data.get("audio", "")), files=dict(data.get("files") or {}),
                   command=list(data.get("command") or []), versions=dict(data.get("versions") or {}),
                   feel=Feel.from_json(data["feel"]) if "feel" in data else Feel.straight(),
                   transpose_for=str(data.get("transpose_for", "C")))


MADE_WITHOUT = {"change": 0.0, "motif": 0, "cadence": False, "breath_short": 0.0}  # a manifest made before a steer existed played without it


def write(path: str, m: Manifest) -> str:
    """Write a manifest atomically; returns the path.  One field a line (json's C encoder for each:
    indent= would take its pure-Python encoder, 10x slower over a long solo's tokens)."""
    fields_ = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in m.to_json().items())
    return write_atomic(path, "{\n" + fields_ + "\n}\n")


def read(path: str) -> Manifest:
    """Read and check a manifest; JazzError when it is not one."""
    raw = read_bytes(path, "manifest", MAX_MANIFEST_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise JazzError("not a manifest (not JSON)", path) from None
    try:
        return Manifest.from_json(data)
    except ValueError as e:
        raise JazzError(str(e), path) from None
