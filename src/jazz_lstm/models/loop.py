"""The epoch loop every trainer shares (the recipe, the chord model, the course's `fit`), and
how training reports its progress: through an `EpochProgress` the caller passes (the CLI's is
a rich bar on stderr, app.cli.options.EpochBar); the library itself never draws."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Protocol

import torch
from threadpoolctl import threadpool_limits

from jazz_lstm.models.base import TrainFacts


class EpochProgress(Protocol):
    """Told of training as it goes (every call on the process that trains; rank 0 under DDP)."""

    def start(self, total: int, done: int) -> None:
        """Training of `total` epochs begins, `done` of them already run (a resume)."""

    def advance(self, loss: float, val: float | None) -> None:
        """One epoch ran: its mean training loss, and its validation loss (None without validation)."""

    def close(self) -> None:
        """Training stopped (done, early-stopped, cancelled or interrupted)."""


class Silent:
    """An EpochProgress that says nothing."""

    def start(self, total: int, done: int) -> None:
        return None

    def advance(self, loss: float, val: float | None) -> None:
        return None

    def close(self) -> None:
        return None


def run_epochs(model, one_epoch, validate, epochs: int, patience: int, facts: TrainFacts, losses: list[float],
               val_losses: list[float], progress: EpochProgress | None = None, on_epoch=None, checkpoint=None,
               save_every: int = 0) -> None:
    """The epoch loop every trainer shares (the recipe, the chord model, the course's
    `fit`): run one_epoch(done) -> mean loss until `epochs` (facts.epochs_done counts
    them), validate() -> loss after each when given, stop after
    `patience` epochs without a better one and keep the best weights, stop when
    on_epoch(done, loss) returns False; write checkpoint() every `save_every` epochs, and on
    Ctrl-C (or SIGTERM turned into it) write it and re-raise.  progress: told of each epoch."""
    if progress is True:
        raise TypeError("progress: pass an EpochProgress (the CLI's is app.cli.options.EpochBar), not True")
    bar = progress or Silent()
    bar.start(epochs, facts.epochs_done)
    best = min(val_losses) if val_losses else float("inf")
    best_state, since = None, 0
    try:
        while facts.epochs_done < epochs:
            losses.append(one_epoch(facts.epochs_done))
            facts.epochs_done += 1
            done = facts.epochs_done
            if validate is not None:
                val_losses.append(validate())
                if val_losses[-1] < best - 1e-6:
                    best, since = val_losses[-1], 0
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                else:
                    since += 1
            bar.advance(losses[-1], val_losses[-1] if val_losses else None)
            if save_every and checkpoint is not None and done % save_every == 0 and done < epochs:
                checkpoint()
            if patience and validate is not None and since >= patience:
                facts.stopped_early = done
                break
            if on_epoch is not None and on_epoch(done, losses[-1]) is False:
                facts.cancelled = done
                break
    except KeyboardInterrupt:
        bar.close()
        if checkpoint is not None:
            checkpoint()
        raise
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)


@contextmanager
def torch_threads(n: int):
    """Run a block with `n` torch intra-op threads and `n` BLAS/OpenMP threads (threadpoolctl):
    training this small network is a chain of tiny operations, and on a busy machine
    threads that spin for cores only fight each other."""
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        with threadpool_limits(n):
            yield
    finally:
        torch.set_num_threads(old)
