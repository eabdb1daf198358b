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
from dataclasses import dataclass, field

import torch

from .errors import JazzError
from .fileio import write_atomic
from .grammar import GRAMMAR_VERSION
from .model import JazzLSTM, ModelConfig
from .vocab import Vocab

FORMAT = "jazz-lstm/1"


@dataclass
class Checkpoint:
    """A model with its vocabulary and what it was trained on.

    chart: {"chords": [[symbol, start, duration], ...], "beats_per_bar", "tempo", "title"}
    from the (first) training tune: the default changes for `generate`.
    train: training facts (config, epochs done, losses, tunes, seed, versions).
    corpus: the training value streams as lists of ids.
    """

    model: JazzLSTM
    vocab: Vocab
    chart: dict
    train: dict = field(default_factory=dict)
    corpus: list = field(default_factory=list)
    optim: dict = field(default_factory=dict)  # torch Adam state_dict, or {}
    path: str = ""
    sha256: str = ""


def save(ck: Checkpoint, path: str) -> str:
    """Write `ck` to `path` atomically; returns the path (and sets ck.path, ck.sha256)."""
    from safetensors.torch import save

    tensors = {f"model.{k}": v.detach().contiguous() for k, v in ck.model.state_dict().items()}
    for idx, st in ck.optim.get("state", {}).items():
        for key, val in st.items():
            tensors[f"optim.{idx}.{key}"] = torch.as_tensor(val).detach().reshape(-1).clone() if key == "step" else val.detach().contiguous()
    flat = [i for s in ck.corpus for i in s]
    tensors["corpus.ids"] = torch.tensor(flat or [0], dtype=torch.int32)
    tensors["corpus.lengths"] = torch.tensor([len(s) for s in ck.corpus] or [0], dtype=torch.int32)
    meta = {"format": FORMAT, "grammar": GRAMMAR_VERSION, "config": json.dumps(ck.model.cfg.to_dict()),
            "vocab": ck.vocab.to_json(), "train": json.dumps(ck.train), "chart": json.dumps(ck.chart)}
    data = save(tensors, metadata=meta)
    ck.path, ck.sha256 = write_atomic(path, data), hashlib.sha256(data).hexdigest()
    return ck.path


def load(path: str) -> Checkpoint:
    """Read a model file; JazzError (one clear line) for a missing, corrupt or foreign file."""
    from safetensors.torch import load as parse

    if not os.path.isfile(path):
        raise JazzError("no such model file", path)
    try:  # one read serves the header, the tensors and the hash
        with open(path, "rb") as fh:
            data = fh.read()
        n = int.from_bytes(data[:8], "little")
        meta = json.loads(data[8:8 + n]).get("__metadata__") or {}
        tensors = parse(data)
    except Exception:
        raise JazzError("not a model file (expected a jazz-lstm .safetensors file)", path) from None
    if meta.get("format") != FORMAT:
        raise JazzError("not a jazz-lstm model (a safetensors file from something else)", path)
    if meta.get("grammar") != GRAMMAR_VERSION:
        raise JazzError(f"made with grammar {meta.get('grammar')}, this version reads {GRAMMAR_VERSION}: retrain it", path)
    try:
        cfg = ModelConfig(**json.loads(meta["config"]))
        model = JazzLSTM(cfg)
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        vocab = Vocab.from_json(meta["vocab"])
        if len(vocab) != cfg.vocab_size:
            raise ValueError("vocabulary size does not match the model")
        ids, lengths = tensors["corpus.ids"].tolist(), tensors["corpus.lengths"].tolist()
    except Exception as e:
        raise JazzError(f"damaged model file ({type(e).__name__}: {str(e).splitlines()[0][:120]})", path) from None
    corpus, pos = [], 0
    for n in lengths:
        if n:
            corpus.append(ids[pos:pos + n])
        pos += n
    state: dict = {}
    for k, v in tensors.items():
        if k.startswith("optim."):
            _, idx, key = k.split(".", 2)
            state.setdefault(int(idx), {})[key] = v.reshape(()) if key == "step" else v
    model.eval()
    return Checkpoint(model, vocab, json.loads(meta["chart"]), json.loads(meta["train"]), corpus,
                      {"state": state} if state else {}, path, hashlib.sha256(data).hexdigest())


def default_model_path() -> str:
    """The small pretrained model that ships inside the package (see scripts/make_default_model.py)."""
    return os.path.join(os.path.dirname(__file__), "assets", "default.safetensors")
