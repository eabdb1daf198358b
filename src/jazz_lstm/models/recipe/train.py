"""Training: the recipe by default (60 random windows of 30 values, Adam 0.01 with
decay 0.01, 100 epochs, batch 32), options for real use, one checkpoint file.

    ck = train([read_tune("my.mid")], TrainConfig(epochs=100), out="model.safetensors")
"""
from __future__ import annotations

import time
from dataclasses import asdict, replace

import numpy as np
import torch

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Solo
from jazz_lstm.core.version import __version__
from jazz_lstm.data.corpus import EncodedTune
from jazz_lstm.data.dataset import course_windows, split_by_tune, squeeze_rests
from jazz_lstm.grammar import codec as grammar
from jazz_lstm.grammar.vocab import Vocab
from jazz_lstm.models.base import Checkpoint, TrainFacts
from jazz_lstm.models.checkpoint import save
from jazz_lstm.models.loop import EpochProgress, run_epochs, torch_threads
from jazz_lstm.models.recipe.config import TrainConfig
from jazz_lstm.models.recipe.model import JazzLSTM, ModelConfig

IGNORE = -100  # target id that contributes no loss (the recipe's empty last step)


def tune_streams(tunes: list[Solo], squeeze: int = 0) -> list[list[str]]:
    """Each tune's grammar values; with squeeze = k, runs of empty bars cut to k.

    Measured on the Metheny tune: keeping every empty bar brings notes per bar (6.4),
    empty beats (20%) and grooving similarity (0.78) into the human band; squeezing
    to one bar left them outside (7.7, 6%, 0.75)."""
    out = []
    for t in tunes:
        values = t.values if isinstance(t, EncodedTune) else grammar.encode(t)
        out.append(squeeze_rests(values, squeeze, f"R,{t.beats_per_bar:.3f}") if squeeze else values)
    return out


def make_windows(streams: list[list[int]], cfg: TrainConfig, start_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets (N, Tx) as the course builds them: the input starts with the
    zero value (x0), the target is the input shifted one step, the last step has none."""
    if cfg.windows:
        flat = [i for s in streams for i in s]
        win = course_windows(flat, cfg.windows, cfg.Tx)
    else:
        rows = [s[a:a + cfg.Tx] for s in streams for a in range(0, max(1, len(s) - cfg.Tx + 1), cfg.stride)]
        rows = [r + [IGNORE] * (cfg.Tx - len(r)) for r in rows if len(r) >= 2]
        win = np.array(rows, dtype=np.int64).reshape(-1, cfg.Tx)
    x = win.copy()
    x[:, 0] = start_id
    x[x == IGNORE] = start_id
    y = np.full_like(win, IGNORE)
    y[:, :-1] = win[:, 1:]
    return x, y


def _loss(model, x, y):  # x, y: (T, B); the recipe's loss, see JazzLSTM.loss
    return model.loss(x, y)


def train(tunes: list, cfg: TrainConfig | None = None, model_cfg: ModelConfig | None = None, out: str | None = None,
          resume=None, progress: EpochProgress | None = None, names: list[str] | None = None, on_epoch=None) -> Checkpoint:
    """Train on `tunes` (Solos or corpus.EncodedTunes).  model_cfg: the network's sizes (its vocab_size is
    replaced by the training vocabulary's; default: the recipe's LSTM(64)).

    out: where to write the checkpoint (atomically, at the end and on Ctrl-C).
    resume: a Checkpoint to continue from (same vocabulary; cfg.epochs counts in total).
    The loss is the recipe's: cross-entropy summed over the Tx steps, averaged over the batch.
    on_epoch(epochs_done, loss): called after each epoch; returning False stops training
    there (the web studio's cancel button).
    """
    cfg = cfg or TrainConfig()
    if not tunes:
        raise JazzError("nothing to train on")
    names = names or [t.source for t in tunes]
    streams = tune_streams(tunes, cfg.squeeze)
    train_idx, val_idx = split_by_tune(names, cfg.val_fraction, cfg.seed)
    vocab, ids = _vocab_and_ids(streams, train_idx, resume, cfg)
    train_ids = [ids[i] for i in train_idx]
    torch.manual_seed(cfg.seed)
    model = resume.model if resume is not None else JazzLSTM(replace(model_cfg or ModelConfig(1), vocab_size=len(vocab)))
    model.train()
    start_id = model.start_id
    x, y = make_windows(train_ids, cfg, start_id)
    vx, vy = make_windows([ids[i] for i in val_idx], TrainConfig(**{**asdict(cfg), "windows": 0}), start_id) \
        if val_idx else (None, None)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), eps=1e-7)
    facts = replace(resume.train) if resume is not None else TrainFacts(kind="recipe")
    if resume is not None and resume.optim:
        opt.load_state_dict({"state": resume.optim["state"], "param_groups": opt.state_dict()["param_groups"]})
    done, step = facts.epochs_done, facts.steps
    losses, val_losses = list(facts.losses), list(facts.val_losses)
    seconds = facts.seconds
    gen = torch.Generator().manual_seed(cfg.seed + done)
    chart = _chart(tunes[train_idx[0]])
    t0 = time.perf_counter()

    def checkpoint() -> Checkpoint:
        snapshot = replace(facts, kind="recipe", config=asdict(cfg), steps=step, losses=list(losses),
                           val_losses=list(val_losses), tunes=[names[i] for i in train_idx],
                           val_tunes=[names[i] for i in val_idx], windows=int(x.shape[0]),
                           seconds=round(seconds + time.perf_counter() - t0, 3),
                           versions={"jazz_lstm": __version__, "torch": torch.__version__})
        ck = Checkpoint(model, vocab, chart, snapshot, train_ids, opt.state_dict())
        if out:
            save(ck, out)
        return ck

    def one_epoch(_done: int) -> float:
        nonlocal step
        loss = train_epoch(model, opt, x, y, cfg, gen, step)
        step += -(-x.shape[0] // cfg.batch_size)
        return loss

    with torch_threads(cfg.threads):
        run_epochs(model, one_epoch, (lambda: _evaluate(model, vx, vy)) if vx is not None else None, cfg.epochs,
                   cfg.patience, facts, losses, val_losses, progress, on_epoch, checkpoint,
                   cfg.save_every if out else 0)
    model.eval()
    return checkpoint()


def _vocab_and_ids(streams: list[list[str]], train_idx: list[int], resume, cfg: TrainConfig) -> tuple:
    """The vocabulary (the resumed model's, or built from the training tunes) and every tune's
    ids in it (IGNORE for a value outside it); JazzError when training cannot go on."""
    if resume is not None:
        vocab = resume.vocab
        missing = {v for i in train_idx for v in streams[i]} - set(vocab.itos)
        if missing:
            raise JazzError(f"cannot resume: these tunes hold {len(missing)} values the model has never seen; train a new model")
    else:
        vocab = Vocab.build(v for i in train_idx for v in streams[i])
    ids = [[vocab.stoi.get(v, IGNORE) for v in s] for s in streams]
    total = sum(len(ids[i]) for i in train_idx)
    if total <= cfg.Tx and cfg.windows:
        raise JazzError(f"the training tunes give only {total} values; windows of {cfg.Tx} need more "
                        f"(try --tx {max(2, total // 2)})")
    return vocab, ids


def train_epoch(model, opt, x, y, cfg: TrainConfig, gen, step: int) -> float:
    """One pass over the windows in a seeded random order; returns the mean loss."""
    perm = torch.randperm(x.shape[0], generator=gen)
    total = 0.0
    for b in range(0, x.shape[0], cfg.batch_size):
        idx = perm[b:b + cfg.batch_size]
        for g in opt.param_groups:
            g["lr"] = cfg.lr / (1.0 + cfg.decay * step)
        loss = _loss(model, x[idx].t(), y[idx].t())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        total += loss.item() * idx.numel()
    return round(total / x.shape[0], 5)


def _evaluate(model, vx, vy) -> float:
    """Validation loss per window (no gradient, dropout off)."""
    model.eval()
    with torch.no_grad():
        loss = float(_loss(model, torch.from_numpy(vx).t(), torch.from_numpy(vy).t()))
    model.train()
    return round(loss, 5)


def _chart(tune) -> Chart:
    """What `generate` needs of the training tune: its changes, metre, tempo and register."""
    if isinstance(tune, EncodedTune):
        low, high = tune.low, tune.high
    else:
        pitches = [n.pitch for n in tune.notes] or [60]
        low, high = min(pitches), max(pitches)
    return Chart(tuple(tune.chords), float(tune.beats_per_bar), float(tune.tempo), getattr(tune, "key", None),
                 int(max(36, low - 2)), int(min(96, high + 2)), tune.source)
