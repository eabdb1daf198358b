"""Training the chord-aware model on a corpus (torch; no music parsing: see corpus.prepare).

    ck = train_corpus(prepare(["solos/"]), CorpusTrainConfig(epochs=30), out="jazz.safetensors")

Windows of `Tx` values (every `stride`) over each tune, Adam with gradient clipping,
validation split by tune, early stopping on the validation cross-entropy per value.
Under `torchrun` (WORLD_SIZE > 1) it trains with DistributedDataParallel -- gloo on
CPU, NCCL on CUDA -- each process a DistributedSampler's share of every global batch;
rank 0 alone writes the checkpoint.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, replace

import numpy as np
import torch

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.version import __version__
from jazz_lstm.data.dataset import split_by_tune
from jazz_lstm.grammar.features import FEATURES_VERSION, N_DUR, N_INT, N_TYPE, factor_array, value_id
from jazz_lstm.models.base import Checkpoint, TrainFacts
from jazz_lstm.models.checkpoint import save
from jazz_lstm.models.chord.config import CorpusTrainConfig
from jazz_lstm.models.chord.model import ChordConfig, ChordLSTM
from jazz_lstm.models.loop import EpochProgress, run_epochs, torch_threads


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise JazzError("no CUDA device here (train on the CPU)")
    return torch.device("cuda" if name == "cuda" or (name == "auto" and torch.cuda.is_available()) else "cpu")


def windows(tunes, Tx: int, stride: int, sections: bool = True):
    """Every window of Tx values of each tune (the last one padded).  Returns numpy arrays:
    ids (N, Tx, 3) the previous value's factors (the start symbol before a tune's first
    value), cond (N, Tx, C), legal (N, Tx, 3), targets (N, Tx, 3) (-1: no target).  sections: the
    features count the bar's place from the form's sections (EncodedTune.arrays)."""
    start = np.array([N_TYPE, N_DUR, N_INT])
    out: list[list] = [[], [], [], []]
    for t in tunes:
        f, c, lg = t.arrays(sections)
        prev = np.concatenate([start[None], np.where(f[:-1] < 0, start, f[:-1])]) if len(f) else f
        n = len(f)
        for a in range(0, max(1, n - Tx + stride), stride):
            b = min(n, a + Tx)
            if b - a < 2:
                continue
            pad = Tx - (b - a)
            for col, arr, fill in zip(out, (prev, c, lg, f), (0, 0.0, 1, -1)):
                piece = arr[a:b]
                col.append(np.concatenate([piece, np.full((pad,) + piece.shape[1:], fill, piece.dtype)]) if pad else piece)
    if not out[0]:
        raise JazzError("the corpus is too short to make a training window")
    ids, cond, legal, tgt = (np.stack(col) for col in out)
    tgt[(tgt < 0).any(-1)] = -1  # a value outside the grid is not a target
    return ids, cond, legal, tgt




def _dist():
    """(rank, world size), initialising the process group under torchrun."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return 0, 1
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() and os.environ.get("JAZZ_LSTM_DEVICE") != "cpu"
                                else "gloo")
    return dist.get_rank(), dist.get_world_size()


def train_corpus(corpus, cfg: CorpusTrainConfig | None = None, model_cfg=None, out: str | None = None,
                 progress: EpochProgress | None = None, resume=None, on_epoch=None, net: type = ChordLSTM) -> Checkpoint:
    """Train a `net` (a chord.model.FactoredNet: ChordLSTM, or the Transformer) built from `model_cfg`
    on `corpus` (corpus.Corpus); returns the Checkpoint (written to `out` by rank 0 every
    cfg.save_every epochs, at the end, and on Ctrl-C)."""
    cfg = cfg or CorpusTrainConfig()
    if not corpus.tunes:
        raise JazzError("nothing to train on (no tune could be read)")
    rank, world = _dist()
    if cfg.batch_size % world:
        raise JazzError(f"batch size {cfg.batch_size} must divide among {world} processes")
    device = resolve_device(cfg.device)
    if world > 1 and device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")) % torch.cuda.device_count())
    threads = cfg.threads or (1 if world > 1 else max(1, min(4, os.cpu_count() or 1)))
    train_idx, val_idx = split_by_tune([t.tune or t.title for t in corpus.tunes], cfg.val_fraction, cfg.seed)
    tr, va = corpus.subset(train_idx), corpus.subset(val_idx)
    torch.manual_seed(cfg.seed)
    model = resume.model if resume is not None else net(model_cfg or ChordConfig())
    form = model.cfg.sections
    data = [torch.from_numpy(a) for a in windows(tr.tunes, cfg.Tx, cfg.stride, form)]
    vdata = [torch.from_numpy(a).to(device) for a in windows(va.tunes, cfg.Tx, cfg.Tx, form)] if va.tunes else None
    model.to(device).train()
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    opt = _optimizer(model, cfg.lr, resume)
    facts = replace(resume.train) if resume is not None else TrainFacts(kind=model.KIND)
    seconds = facts.seconds
    losses, val_losses = list(facts.losses), list(facts.val_losses)
    streams = [[value_id(*f) for f in factor_array(t.values) if f[0] >= 0] for t in tr.tunes]  # no features needed
    t0 = time.perf_counter()
    first = tr.tunes[0]

    def checkpoint():
        snapshot = replace(facts, kind=model.KIND, config=asdict(cfg), losses=list(losses), val_losses=list(val_losses),
                           windows=int(data[0].shape[0]), seconds=round(seconds + time.perf_counter() - t0, 3),
                           corpus=tr.summary(), val_tunes=[t.title for t in va.tunes], features=FEATURES_VERSION,
                           world_size=world, device=device.type, tunes=[t.source for t in tr.tunes],
                           versions={"jazz_lstm": __version__, "torch": torch.__version__})
        chart = Chart(tuple(first.chords), float(first.beats_per_bar), float(first.tempo), getattr(first, "key", None),
                      int(np.median([t.low for t in tr.tunes])), int(np.median([t.high for t in tr.tunes])),
                      first.title, sections=tuple(getattr(first, "sections", ())))  # a typical soloist's register
        ck = Checkpoint(model, None, chart, snapshot, streams, opt.state_dict())
        if out and rank == 0:
            save(ck, out)
        return ck

    with torch_threads(threads):
        run_epochs(model, lambda d: _epoch(net, opt, data, cfg, rank, world, device, d),
                   (lambda: evaluate_nll(model, *vdata)) if vdata is not None else None, cfg.epochs, cfg.patience, facts,
                   losses, val_losses, progress if rank == 0 else None, on_epoch, checkpoint,
                   cfg.save_every if out else 0)
    model.to("cpu").eval()
    return checkpoint()


def _optimizer(model, lr: float, resume) -> torch.optim.Adam:
    """Adam over the model, its moments going on where a resumed run's stopped."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    if resume is not None and resume.optim:
        opt.load_state_dict({"state": resume.optim["state"], "param_groups": opt.state_dict()["param_groups"]})
    return opt


def _epoch(net, opt, data, cfg, rank, world, device, epoch) -> float:
    """One pass in an order seeded by (seed, epoch) -- the same on every process, and after a
    resume the order the run would have had; returns the mean loss per value."""
    n = data[0].shape[0]
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(cfg.seed * 100_003 + epoch))
    total, count = 0.0, 0
    for b in range(0, n, cfg.batch_size):
        batch = perm[b:b + cfg.batch_size]
        if batch.numel() < world:
            break  # too few windows left to give every process one
        idx = batch.tensor_split(world)[rank]  # this process's share of the global batch
        ids, cond, legal, tgt = (a[idx].to(device, non_blocking=True) for a in data)
        _, loss = net(ids, cond, tgt, legal)
        # each process averages over its values; weigh by them so the global step is the global mean
        k = int((tgt[..., 0] >= 0).sum())
        kt = torch.tensor(float(k), device=device)
        if world > 1:
            import torch.distributed as dist

            dist.all_reduce(kt)
        opt.zero_grad(set_to_none=True)
        (loss * (k * world / kt.clamp(min=1))).backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.clip)
        opt.step()
        total += float(loss.detach()) * k
        count += k
    if world > 1:  # the epoch's mean over every process's values
        import torch.distributed as dist

        both = torch.tensor([total, float(count)], dtype=torch.float64, device=device)
        dist.all_reduce(both)
        total, count = float(both[0]), int(both[1])
    return round(total / max(1, count), 5)


@torch.no_grad()
def evaluate_nll(model, ids, cond, legal, tgt, batch: int = 256) -> float:
    """Mean negative log-likelihood per value (nats), dropout off."""
    was = model.training
    model.eval()
    total, count = 0.0, 0
    for a in range(0, ids.shape[0], batch):
        nll = model.nll_per_value(ids[a:a + batch], cond[a:a + batch], tgt[a:a + batch], legal[a:a + batch])
        total += float(nll.sum())
        count += int((tgt[a:a + batch, :, 0] >= 0).sum())
    model.train(was)
    return round(total / max(1, count), 5)
