"""The recipe as a model kind (see models.base.ModelKind): a vocabulary of grammar-value
strings, one-hot into an LSTM(64); trained on 60 random windows; sampled value by value, or
by beam search; its values decoded over the chords afterwards."""
from __future__ import annotations

import json
import os
import random

import torch

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import to_steps
from jazz_lstm.grammar.codec import decode, parse_token
from jazz_lstm.grammar.vocab import Vocab
from jazz_lstm.models.base import Checkpoint
from jazz_lstm.models.base import or_default as _or
from jazz_lstm.models.loop import torch_threads
from jazz_lstm.models.recipe.beam import beam_bars
from jazz_lstm.models.recipe.model import JazzLSTM, ModelConfig
from jazz_lstm.models.recipe.sample import sample_bars
from jazz_lstm.models.recipe.train import TrainConfig, train


class RecipeKind:
    name = "recipe"
    net = JazzLSTM
    factored = False
    loss_unit = "window"
    options: tuple = ()

    def model_config(self, req, vocab_size: int) -> ModelConfig:
        d = ModelConfig(max(1, vocab_size))
        return ModelConfig(max(1, vocab_size), _or(req.hidden, d.hidden), _or(req.layers, d.layers),
                           _or(req.dropout, d.dropout), req.embedding)

    def build(self, meta: dict) -> tuple[ModelConfig, Vocab]:
        cfg, vocab = ModelConfig(**json.loads(meta["config"])), Vocab.from_json(json.loads(meta["vocab"]))
        if len(vocab) != cfg.vocab_size:
            raise ValueError("vocabulary size does not match the model")
        for tok in vocab.itos:
            parse_token(tok)
        return cfg, vocab

    def header(self) -> dict:
        return {}

    def check_header(self, meta: dict, path: str) -> None:
        return None

    def check_request(self, req) -> None:
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            raise JazzError("the recipe trains in one process (60 windows); under torchrun train the chord model")

    def train(self, req, corpus, resume: Checkpoint | None) -> Checkpoint:
        d = TrainConfig()
        cfg = TrainConfig(Tx=_or(req.tx, d.Tx), windows=req.windows, stride=_or(req.stride, d.stride),
                          epochs=_or(req.epochs, d.epochs), batch_size=_or(req.batch_size, d.batch_size),
                          lr=_or(req.lr, d.lr), val_fraction=_or(req.val, d.val_fraction) if len(corpus.tunes) > 1 else 0.0,
                          patience=_or(req.patience, d.patience), seed=req.seed, squeeze=req.squeeze,
                          threads=req.threads or d.threads, save_every=req.save_every)
        return train(corpus.tunes, cfg, self.model_config(req, 1), out=req.output, resume=resume, progress=req.progress,
                     names=[t.source for t in corpus.tunes])

    def sample(self, ck: Checkpoint, changes, bars: int, beats_per_bar: float, n: int, cfg, on_bar=None,
               tempo: float | None = None, sections=()) -> list:  # (the recipe hears no form)
        steps = to_steps(beats_per_bar)
        if cfg.beam and n != 1:
            raise JazzError("beam search makes one solo (the likeliest): use -n 1, or sample")
        with torch_threads(cfg.threads):
            if cfg.beam:
                per_bar = [beam_bars(ck.model, ck.vocab, bars, steps, cfg.beam, ck.corpus, cfg.max_copy)]
            else:
                per_bar = sample_bars(ck.model, ck.vocab, bars, steps, n, cfg, corpus=ck.corpus, on_bar=on_bar)
        out = []
        for i, solo in enumerate(per_bar):
            tokens = [v for b in solo for v in b]
            notes = decode(tokens, changes, None, random.Random(cfg.seed * 1000 + i), 0.0, beats_per_bar,
                           low=ck.chart.low, high=ck.chart.high)
            out.append((tokens, notes))
        return out

    def values(self, ck: Checkpoint) -> list[list[str]]:
        return [ck.vocab.decode(s) for s in ck.corpus]

    def value_space(self, ck: Checkpoint) -> list[str]:
        return list(ck.vocab.itos)

    @torch.no_grad()
    def nll(self, ck: Checkpoint, tunes: list, Tx: int = 30) -> tuple[float, int]:
        """Teacher-forced over windows of Tx values, from the zero input as the recipe trains."""
        ids = [[ck.vocab.stoi.get(v, -1) for v in t.values] for t in tunes]
        nll, count = 0.0, 0
        for s in ids:
            for a in range(0, max(1, len(s) - 1), Tx):
                win = s[a:a + Tx]
                if len(win) < 2:
                    continue
                x = torch.tensor([ck.model.start_id] + [max(i, 0) for i in win[1:-1]])[:, None]  # (T, 1)
                y = torch.tensor(win[1:])  # (T,)
                logp = ck.model(x, time_major=True)[0][:, 0].log_softmax(-1)  # (T, V)
                ok = y >= 0
                nll -= float(logp[ok.nonzero()[:, 0], y[ok]].sum())
                count += int(ok.sum())
        return (round(nll / count, 5) if count else float("nan")), sum(i >= 0 for s in ids for i in s)

    def event_pass(self, ck: Checkpoint, tune, firsts: list[int]) -> tuple:
        raise JazzError("a recipe model's values do not fix an interval: it scores no exact events")

    def event_passes(self, ck: Checkpoint, tunes: list, firsts: list[list[int]]) -> list[tuple]:
        return [self.event_pass(ck, t, f) for t, f in zip(tunes, firsts)]


KIND = RecipeKind()
