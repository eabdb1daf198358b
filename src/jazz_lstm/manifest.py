"""The manifest `solo.json` beside every generated solo: everything needed to make the
identical MIDI again (`jazz-lstm generate --from-manifest solo.json`) and to cite it."""
from __future__ import annotations

import json
import platform
import sys

from .errors import JazzError

VERSION = 1


def versions() -> dict:
    """Versions of the package and the libraries that shape the output."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("jazz-lstm", "torch", "numpy", "music21", "symusic", "safetensors", "matplotlib", "verovio"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def build(solo, *, model_path: str, model_sha256: str, default_model: bool, cfg: dict, index: int = 0,
          num_outputs: int = 1, accompany: bool = True, files: dict | None = None, synth: str = "") -> dict:
    """The manifest of a generated Solo (its chords, tokens, length and tempo come from it)."""
    from .charts import format_chart

    return {
        "manifest": VERSION,
        "command": sys.argv[:],
        "model": {"path": "default" if default_model else model_path, "sha256": model_sha256},
        "seed": cfg["seed"], "sampling": cfg, "index": index, "num_outputs": num_outputs,
        "bars": solo.n_bars, "tempo": solo.tempo, "beats_per_bar": solo.beats_per_bar,
        "chart": format_chart(solo.chords, solo.beats_per_bar),
        "chords": [[c.symbol, c.start, c.duration] for c in solo.chords],
        "tokens": solo.tokens, "accompaniment": accompany, "audio": synth,
        "files": files or {}, "versions": versions(),
    }


def write(path: str, data: dict) -> str:
    """Write a manifest atomically; returns the path."""
    from .fileio import write_atomic

    return write_atomic(path, json.dumps(data, indent=1))


def read(path: str) -> dict:
    """Read and check a manifest; JazzError when it is not one."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise JazzError(f"cannot read manifest ({e.strerror})", path) from None
    except ValueError:
        raise JazzError("not a manifest (not JSON)", path) from None
    need = {"manifest", "model", "sampling", "index", "num_outputs", "bars", "tempo", "beats_per_bar", "chords"}
    if not isinstance(data, dict) or not need <= set(data):
        raise JazzError("not a jazz-lstm manifest (fields missing)", path)
    if data["manifest"] != VERSION:
        raise JazzError(f"manifest version {data['manifest']} is not supported", path)
    return data
