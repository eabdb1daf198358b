"""The one model file: `*.safetensors` with everything needed to generate in its header.

Tensors: ``model.*`` (weights), ``optim.*`` (Adam moments, for --resume) and
``corpus.ids`` / ``corpus.lengths`` (the training values, for the novelty guard).
Metadata (strings): format, grammar version, model config, vocabulary, training
facts, and the training tune's chord chart.  Loading never unpickles.
"""
from __future__ import annotations

import hashlib
import json
import os

import torch
from safetensors.torch import load as parse_safetensors
from safetensors.torch import save as save_safetensors

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import read_bytes, write_atomic
from jazz_lstm.grammar.codec import GRAMMAR_VERSION
from jazz_lstm.models.base import Checkpoint, TrainFacts, kind

__all__ = ["Checkpoint", "TrainFacts", "save", "load", "verify", "default_model_path", "FORMAT"]

FORMAT = "jazz-lstm/1"
MAX_MODEL_BYTES = 1 << 30  # a model file (the shipped one is 1.3 MB)


def save(ck: Checkpoint, path: str, half: bool = False) -> str:
    """Write `ck` to `path` atomically; returns the path (and sets ck.path, ck.sha256).
    half: store the weights as float16 (half the size; loading turns them back into float32)."""
    tensors = {f"model.{k}": (v.half() if half and v.is_floating_point() else v).detach().contiguous()
               for k, v in ck.model.state_dict().items()}
    for idx, st in ck.optim.get("state", {}).items():
        for key, val in st.items():
            tensors[f"optim.{idx}.{key}"] = torch.as_tensor(val).detach().reshape(-1).clone() if key == "step" else val.detach().contiguous()
    flat = [i for s in ck.corpus for i in s]
    tensors["corpus.ids"] = torch.tensor(flat or [0], dtype=torch.int32)
    tensors["corpus.lengths"] = torch.tensor([len(s) for s in ck.corpus] or [0], dtype=torch.int32)
    meta = {"format": FORMAT, "grammar": GRAMMAR_VERSION, "config": json.dumps(ck.model.cfg.to_dict()),
            "kind": ck.kind, "vocab": json.dumps(ck.vocab.to_json() if ck.vocab is not None else None),
            "train": json.dumps(ck.train.to_json()), "chart": json.dumps(ck.chart.to_json()), **ck.spec.header()}
    meta["weights_sha256"] = weights_hash(tensors)  # read by the previous version
    meta["file_sha256"] = file_hash(tensors, meta)  # everything: weights, optimizer, corpus, metadata
    data = save_safetensors(tensors, metadata=meta)
    ck.path, ck.sha256 = write_atomic(path, data), hashlib.sha256(data).hexdigest()
    return ck.path


def weights_hash(tensors: dict) -> str:
    """sha256 over the model's tensors as stored (names, dtypes, shapes, bytes, in name order):
    recorded in the header, checked on load, so a flipped bit in the weights is found."""
    h = hashlib.sha256()
    for name in sorted(k for k in tensors if k.startswith("model.")):
        t = tensors[name].contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def file_hash(tensors: dict, meta: dict) -> str:
    """sha256 over every tensor (as weights_hash does) and every metadata entry but this
    hash itself: a model file either verifies whole or is refused."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    h.update(json.dumps({k: v for k, v in meta.items() if k != "file_sha256"}, sort_keys=True).encode())
    return h.hexdigest()


def verify(tensors: dict, meta: dict, path: str) -> None:
    """Refuse a file whose contents do not match its checksum.  Files of this version carry
    `file_sha256` (everything); of the previous one `weights_sha256` (the weights alone);
    older files carry none and load only with JAZZ_LSTM_TRUST_UNVERIFIED=1."""
    damaged = "damaged model file (its contents do not match the checksum recorded with them)"
    if "file_sha256" in meta:
        if meta["file_sha256"] != file_hash(tensors, meta):
            raise JazzError(damaged, path)
    elif "weights_sha256" in meta:
        if meta["weights_sha256"] != weights_hash(tensors):
            raise JazzError(damaged, path)
        if _written_by(meta) >= (0, 2):  # this version always writes the whole-file checksum: it was removed
            raise JazzError("damaged model file (its checksum is missing)", path)
    elif os.environ.get("JAZZ_LSTM_TRUST_UNVERIFIED") != "1":
        raise JazzError("this model file carries no checksum (written before checksums, or edited), so it cannot be "
                        "verified; retrain it, or load it anyway with JAZZ_LSTM_TRUST_UNVERIFIED=1", path)


def _written_by(meta: dict) -> tuple:
    """The jazz-lstm version a file's training facts name, as (major, minor); (0, 0) if none."""
    try:
        v = json.loads(meta.get("train", "{}")).get("versions", {}).get("jazz_lstm", "0.0")
        return tuple(int(x) for x in str(v).split(".")[:2])
    except (ValueError, AttributeError, TypeError):
        return (0, 0)


def _build(name: str, meta: dict, tensors: dict):
    """(model, vocab) from the header, checked against the tensors the file carries before any
    weight is loaded: the config's sizes must give exactly the stored weights' shapes.  (The
    config's own bounds keep the network under MAX_PARAMS weights; building it on the meta device
    instead would import torch._dynamo, 1.1 s of every command's start-up.)"""
    spec = kind(name)
    cfg, vocab = spec.build(meta)
    model = spec.net(cfg)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    stored = {k[6:]: tuple(v.shape) for k, v in tensors.items() if k.startswith("model.")}
    if shapes != stored:
        raise ValueError("the model config does not match the weights stored with it")
    return model, vocab


def _optim_state(tensors: dict) -> dict:
    state: dict = {}
    for k, v in tensors.items():
        if k.startswith("optim."):
            parts = k.split(".", 2)
            if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in ("step", "exp_avg", "exp_avg_sq"):
                raise ValueError(f"unknown optimizer tensor {k[:40]!r}")
            state.setdefault(int(parts[1]), {})[parts[2]] = v.reshape(()) if parts[2] == "step" else v
    return {"state": state} if state else {}


def load(path: str) -> Checkpoint:
    """Read a model file; JazzError (one clear line) for a missing, corrupt or foreign file."""
    data = read_bytes(path, "model file", MAX_MODEL_BYTES)
    try:  # one read serves the header, the tensors and the hash
        n = int.from_bytes(data[:8], "little")
        meta = json.loads(data[8:8 + n]).get("__metadata__") or {}
        tensors = parse_safetensors(data)
        if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
            raise ValueError
    except Exception:
        raise JazzError("not a model file (expected a jazz-lstm .safetensors file)", path) from None
    if meta.get("format") != FORMAT:
        raise JazzError("not a jazz-lstm model (a safetensors file from something else)", path)
    if meta.get("grammar") != GRAMMAR_VERSION:
        raise JazzError(f"made with grammar {meta.get('grammar')}, this version reads {GRAMMAR_VERSION}: retrain it", path)
    verify(tensors, meta, path)
    name = meta.get("kind", "recipe")  # files before the chord model carry no kind
    try:
        kind(name).check_header(meta, path)
    except JazzError as e:
        raise JazzError(e.message, path) from None
    try:
        model, vocab = _build(name, meta, tensors)
        weights = {k[6:]: v.float() if v.dtype == torch.float16 else v for k, v in tensors.items() if k.startswith("model.")}
        bad = [k for k, v in weights.items() if v.is_floating_point() and not torch.isfinite(v).all()]
        if bad:
            raise ValueError(f"weights {bad[0]} are not finite")
        model.load_state_dict(weights)
        ids, lengths = tensors["corpus.ids"].tolist(), tensors["corpus.lengths"].tolist()
        if sum(lengths) > len(ids) or min(lengths, default=0) < 0:
            raise ValueError("corpus lengths do not match its values")
        chart, train = Chart.from_json(json.loads(meta["chart"])), TrainFacts.from_json(json.loads(meta["train"]))
        optim = _optim_state(tensors)
    except JazzError as e:
        raise JazzError(f"damaged model file ({e.message})", path) from None
    except Exception as e:
        raise JazzError(f"damaged model file ({type(e).__name__}: {str(e).splitlines()[0][:120]})", path) from None
    corpus, pos = [], 0
    for n in lengths:
        if n:
            corpus.append(ids[pos:pos + n])
        pos += n
    model.eval()
    return Checkpoint(model, vocab, chart, train, corpus, optim, path, hashlib.sha256(data).hexdigest())


def default_model_path() -> str:
    """The small pretrained model that ships inside the package (see scripts/make_default_model.py)."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets", "default.safetensors")
