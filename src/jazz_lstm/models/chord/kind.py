"""The chord model as a model kind (see models.base.ModelKind): factored values (tone type,
duration, interval) over harmony features; trained on a corpus (DDP under torchrun); sampled
factor by factor under the grammar's masks, decoded as it goes."""
from __future__ import annotations

import json

import numpy as np
import torch

from jazz_lstm.core.errors import JazzError
from jazz_lstm.grammar.features import (
    COND_DIM,
    FEATURES_VERSION,
    HARMONY_COND_DIM,
    N_DUR,
    NOTE_TYPES,
    TIME_VERSION,
    TYPES,
    split_id,
    unfactorize,
)
from jazz_lstm.models.base import Checkpoint
from jazz_lstm.models.base import or_default as _or
from jazz_lstm.models.chord.model import ChordConfig, ChordLSTM, dur_mask, int_mask, type_mask
from jazz_lstm.models.chord.sample import sample_chart
from jazz_lstm.models.chord.train import CorpusTrainConfig, evaluate_nll, train_corpus, windows
from jazz_lstm.models.loop import torch_threads


class ChordKind:
    name = "chord"
    net = ChordLSTM
    factored = True
    loss_unit = "value"
    options: tuple = ()  # request options only this kind reads (beyond hidden, layers, dropout)

    def model_config(self, req, vocab_size: int) -> ChordConfig:
        d = ChordConfig()
        return ChordConfig(hidden=_or(req.hidden, d.hidden), layers=_or(req.layers, d.layers),
                           dropout=_or(req.dropout, d.dropout))

    def build(self, meta: dict) -> tuple[ChordConfig, None]:
        return ChordConfig(**{"sections": False, **json.loads(meta["config"])}), None  # (files before 0.6.0: False)

    def header(self) -> dict:
        return {"features": FEATURES_VERSION, "time": TIME_VERSION}

    def check_header(self, meta: dict, path: str) -> None:
        if meta.get("features") != FEATURES_VERSION:
            raise JazzError(f"made with harmony features {meta.get('features')}, this version reads {FEATURES_VERSION}: "
                            "retrain it", path)
        try:
            reads = int(json.loads(meta["config"]).get("cond_dim", HARMONY_COND_DIM))
        except (KeyError, TypeError, ValueError, AttributeError):
            return  # (a malformed config is the loader's to refuse, with its own message)
        if reads != HARMONY_COND_DIM and (meta.get("time") != TIME_VERSION or reads != COND_DIM):
            raise JazzError(f"made with time features {meta.get('time')} ({reads} features a step), this version reads "
                            f"{TIME_VERSION} ({COND_DIM}) or none ({HARMONY_COND_DIM}): retrain it", path)

    def check_request(self, req) -> None:
        return None

    def window(self, model_cfg) -> tuple[int, int]:
        """The training window's default length and stride, in values."""
        d = CorpusTrainConfig()
        return d.Tx, d.stride

    def train(self, req, corpus, resume: Checkpoint | None) -> Checkpoint:
        d = CorpusTrainConfig()
        mcfg = resume.model.cfg if resume is not None else self.model_config(req, 0)
        tx, stride = self.window(mcfg)
        cfg = CorpusTrainConfig(Tx=_or(req.tx, tx), stride=_or(req.stride, stride), epochs=_or(req.epochs, d.epochs),
                                batch_size=_or(req.batch_size, d.batch_size), lr=_or(req.lr, d.lr),
                                val_fraction=_or(req.val, d.val_fraction) if len(corpus.tunes) > 1 else 0.0,
                                patience=_or(req.patience, d.patience), seed=req.seed, threads=req.threads,
                                device=req.device, save_every=req.save_every)
        return train_corpus(corpus, cfg, mcfg, out=req.output, progress=req.progress, resume=resume, net=self.net)

    def sample(self, ck: Checkpoint, changes, bars: int, beats_per_bar: float, n: int, cfg, on_bar=None,
               tempo: float | None = None, sections=()) -> list:
        if cfg.beam:
            raise JazzError("beam search is for recipe models; a chord model samples (drop the beam width)")
        with torch_threads(cfg.threads):
            return sample_chart(ck.model, changes, bars, beats_per_bar, n, cfg, ck.corpus, (ck.chart.low, ck.chart.high),
                                on_bar, tempo, sections)

    def values(self, ck: Checkpoint) -> list[list[str]]:
        return [[unfactorize(*split_id(v)) for v in s] for s in ck.corpus]

    def value_space(self, ck: Checkpoint) -> None:
        return None

    def nll(self, ck: Checkpoint, tunes: list) -> tuple[float, int]:
        ids, cond, legal, tgt = (torch.from_numpy(a) for a in windows(tunes, 128, 128, ck.model.cfg.sections))
        return evaluate_nll(ck.model, ids, cond, legal, tgt), int((tgt[..., 0] >= 0).sum())

    def event_pass(self, ck: Checkpoint, tune, firsts: list[int]) -> tuple:
        """Per-value NLL (nats), which values are on the grid, and at each event start the most
        likely interval class and duration class, over one window holding the whole tune."""
        return self.event_passes(ck, [tune], [firsts])[0]

    @torch.no_grad()
    def event_passes(self, ck: Checkpoint, tunes: list, firsts: list[list[int]]) -> list[tuple]:
        """event_pass of each tune, the network run over EVENT_BATCH tunes at once (of like
        lengths, padded at the end: a causal network's outputs before the padding do not change)."""
        order = sorted(range(len(tunes)), key=lambda i: len(tunes[i].values))
        out: list = [None] * len(tunes)
        for a in range(0, len(order), EVENT_BATCH):
            group = order[a:a + EVENT_BATCH]
            for i, res in zip(group, _event_batch(ck.model, [tunes[i] for i in group], [firsts[i] for i in group])):
                out[i] = res
        return out


EVENT_BATCH = 16  # tunes a network pass scores together (like lengths: little padding)


def _event_batch(model, tunes: list, firsts: list[list[int]]) -> list[tuple]:
    parts = [windows([t], len(t.values), len(t.values), model.cfg.sections) for t in tunes]  # each (1, L, ...)
    T = max(p[0].shape[1] for p in parts)
    ids, cond, legal, tgt = (torch.from_numpy(np.concatenate([_pad(p[k], T, fill) for p in parts]))
                             for k, fill in enumerate((0, 0.0, 1, -1)))
    h, _ = model.hidden(ids, cond)  # (B, T, H)
    nll = model.nll_per_value(ids, cond, tgt, legal, h).numpy()  # (B, T)
    b = torch.tensor([k for k, f in enumerate(firsts) for _ in f], dtype=torch.long)
    at = torch.tensor([x for f in firsts for x in f], dtype=torch.long)
    best_iv, best_dur = _likeliest(model, h[b, at], cond[b, at], legal[b, at])
    out, s = [], 0
    for k, (t, f) in enumerate(zip(tunes, firsts)):
        n = len(t.values)
        out.append((nll[k, :n], (tgt[k, :n, 0] >= 0).numpy(), best_iv[s:s + len(f)], best_dur[s:s + len(f)],
                    tgt[k, :n].numpy()))
        s += len(f)
    return out


def _pad(a: np.ndarray, T: int, fill) -> np.ndarray:
    return np.concatenate([a, np.full((a.shape[0], T - a.shape[1]) + a.shape[2:], fill, a.dtype)], 1) if a.shape[1] < T else a


def _likeliest(model, hs, cs, ls) -> tuple[np.ndarray, np.ndarray]:
    """The most likely interval class (a pitch: 'none' excluded) and duration class (S,) at
    each event start: each factor's marginal over the others."""
    lp_type = model.type_head(hs).masked_fill(~type_mask(cs, ls), -1e9).log_softmax(-1)  # (S, 6)
    p_int = torch.zeros(len(hs), model.int_head.out_features)  # (S, 74)
    p_dur = torch.zeros(len(hs), N_DUR)  # (S, 96)
    for ty in range(len(TYPES)):
        tys = torch.full((len(hs),), ty)
        lp_d = model.dur_logits(hs, tys).masked_fill(~dur_mask(ls), -1e9).log_softmax(-1)  # (S, 96)
        joint_d = lp_type[:, ty:ty + 1] + lp_d
        p_dur += joint_d.exp()
        if TYPES[ty] in NOTE_TYPES:
            p_int += _interval_marginal(model, hs, cs, ls, tys, joint_d)
    p_int[:, 0] = 0.0  # the most likely *pitch*: an interval, not "none"
    return p_int.argmax(-1).numpy(), p_dur.argmax(-1).numpy()


def _interval_marginal(model, hs, cs, ls, tys, joint_d):
    """P(interval, type) summed over the durations.  The interval head is one Linear over
    [h, type, duration]: its logits are a sum of a row's part a (S, 74) and a duration's part b
    (k, 74), so exp(logit) = exp(a) * exp(b) and every duration's softmax is a product: with
    A = exp(a) masked and B = exp(b), P(i | s, d) = A[s, i] B[d, i] / Z[s, d], Z = A @ B.T, and
    the sum over d is A * ((P(d) / Z) @ B) -- two matrix products, no (S, k, 74) tensor (the same
    figures as int_logits' softmax, row by row, to float64 rounding).  Only the durations some row
    may take (no value outlasts its bar: the rest have probability 0) are summed."""
    k = max(1, min(N_DUR, int(ls[:, 0].max())))  # the longest legal duration class + 1
    W, H = model.int_head.weight.double(), hs.shape[-1]
    Te = model.type_emb.embedding_dim
    a = hs.double() @ W[:, :H].T + model.int_head.bias.double() + model.type_emb(tys[:1]).double() @ W[:, H:H + Te].T
    b = model.dur_emb(torch.arange(k)).double() @ W[:, H + Te:].T  # (k, 74)
    A = (a - a.max(-1, keepdim=True).values).exp() * int_mask(cs, ls, tys)  # (S, 74); the mask does not depend on d
    B = (b - b.max(-1, keepdim=True).values).exp()  # (k, 74); the shifts cancel in each softmax
    Z = (A @ B.T).clamp_min(1e-300)  # (S, k)
    return (A * ((joint_d[:, :k].double().exp() / Z) @ B)).float()  # (S, 74)


KIND = ChordKind()
