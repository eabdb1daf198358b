"""The course's API with the course's names, shapes and semantics, on this package.

    X, Y, n_values, indices_values, chords = load_music_utils()
    X, Y, n_values = data_processing(corpus, values_indices, m=60, Tx=30)

X is (m, Tx, n_values) one-hot with X[:, 0] all zero; Y is (Ty, m, n_values) with
Ty = Tx and Y[t] = X[:, t+1] (the last step, Y[Tx-1], is all zero: it has no target).
    model = djmodel(Tx=30, n_a=64, n_values=n_values)
    model.fit([X, a0, c0], list(Y), epochs=100)
    inference_model = music_inference_model(model, Ty=50)
    results, indices = predict_and_sample(inference_model)   # (Ty, n_values), (Ty, 1)
    generate_music(inference_model, indices_values, chords)  # writes output/my_music.midi
"""
from __future__ import annotations

import numpy as np

from jazz_lstm.core.charts import Chart
from jazz_lstm.data.dataset import course_windows
from jazz_lstm.grammar import codec as grammar
from jazz_lstm.grammar.vocab import Vocab
from jazz_lstm.io.formats import read_tune
from jazz_lstm.io.midi import write_midi
from jazz_lstm.io.tunes import resolve
from jazz_lstm.models.checkpoint import Checkpoint, TrainFacts
from jazz_lstm.models.loop import run_epochs, torch_threads
from jazz_lstm.models.recipe.model import JazzLSTM, ModelConfig
from jazz_lstm.models.recipe.train import IGNORE, TrainConfig, train_epoch
from jazz_lstm.models.sample import SampleConfig
from jazz_lstm.solo.generate import improvise


def get_musical_data(path: str | None = None):
    """(chords, corpus): the tune's Chords and its grammar values, in order."""
    tune = read_tune(resolve(path))
    return tune.chords, grammar.encode(tune)


def get_corpus_data(corpus: list[str]):
    """(corpus, values, values_indices, indices_values) as the course returns them (values sorted)."""
    vocab = Vocab.build(corpus)
    return corpus, set(vocab.itos), dict(vocab.stoi), dict(enumerate(vocab.itos))


def data_processing(corpus: list[str], values_indices: dict, m: int = 60, Tx: int = 30):
    """The course's windows: np.random.seed(0), m random starts, one-hot.

    Returns X (m, Tx, n_values) bool, Y (Tx, m, n_values) bool, n_values.
    """
    n_values = len(set(corpus))
    ids = [values_indices[v] for v in corpus]
    win = course_windows(ids, m, Tx)  # (m, Tx)
    X = np.zeros((m, Tx, n_values), dtype=bool)
    Y = np.zeros((m, Tx, n_values), dtype=bool)
    rows = np.arange(m)
    for j in range(1, Tx):
        X[rows, j, win[:, j]] = True
        Y[rows, j - 1, win[:, j]] = True
    return X, np.swapaxes(Y, 0, 1), n_values


def load_music_utils(path: str | None = None):
    """X, Y, n_values, indices_values, chords for a tune (default: the embedded tune)."""
    chords, corpus = get_musical_data(path)
    corpus, values, values_indices, indices_values = get_corpus_data(corpus)
    X, Y, n_values = data_processing(corpus, values_indices, 60, 30)
    return X, Y, n_values, indices_values, chords


# --- the model part of the course, PyTorch inside -------------------------------------
class DJModel:
    """The course's training model: one LSTM cell shared over Tx steps + a Dense softmax.

    `fit([X, a0, c0], list(Y), epochs=100)` trains it the recipe's way (Adam 0.01,
    betas 0.9/0.999, decay 0.01, batch 32, loss summed over the steps); the zero
    last step of Y is masked.  `net` is the package's JazzLSTM.
    """

    def __init__(self, Tx: int, n_a: int, n_values: int):
        import torch

        torch.manual_seed(0)
        self.Tx, self.n_a, self.n_values = Tx, n_a, n_values
        self.net = JazzLSTM(ModelConfig(n_values, hidden=n_a))
        self.history: list[float] = []

    def compile(self, *args, **kwargs) -> None:
        """Accepted for the course's cell; the optimizer and loss are the recipe's."""

    def fit(self, inputs, Y, epochs: int = 100, batch_size: int = 32, verbose: int = 0, seed: int = 0):
        import torch

        X = np.asarray(inputs[0] if isinstance(inputs, (list, tuple)) else inputs)
        Y = np.asarray(Y)  # (Ty, m, n)
        x = np.where(X.any(-1), X.argmax(-1), self.net.start_id)  # (m, Tx)
        y = np.where(Y.any(-1), Y.argmax(-1), IGNORE).T  # (m, Ty)
        cfg = TrainConfig(Tx=X.shape[1], epochs=epochs, batch_size=batch_size, seed=seed)
        opt = torch.optim.Adam(self.net.parameters(), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), eps=1e-7)
        gen = torch.Generator().manual_seed(seed)
        xt, yt = torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.int64))
        batches = -(-len(x) // batch_size)

        def say(done: int, loss: float) -> None:
            if verbose:
                print(f"epoch {done}/{epochs} loss {loss:.4f}")

        self.net.train()
        with torch_threads(1):  # the library's loop and epoch, as `jazz-lstm train` runs them
            run_epochs(self.net, lambda e: train_epoch(self.net, opt, xt, yt, cfg, gen, e * batches), None, epochs, 0,
                       TrainFacts(kind="recipe"), self.history, [], on_epoch=say)
        self.net.eval()
        return self


def djmodel(Tx: int = 30, n_a: int = 64, n_values: int = 90) -> DJModel:
    """The course's training model (see DJModel)."""
    return DJModel(Tx, n_a, n_values)


class InferenceModel:
    """The course's inference model: from x0, a0, c0, feed each step's argmax back for Ty steps."""

    def __init__(self, model: DJModel, Ty: int = 50):
        self.model, self.net, self.Ty = model, model.net, Ty

    def predict(self, inputs):
        """[x0 (1, 1, n), a0 (1, n_a), c0 (1, n_a)] -> list of Ty arrays (1, n) of probabilities."""
        import torch

        x0, a0, c0 = (np.asarray(v, dtype=np.float32) for v in inputs)
        ids = torch.tensor([int(x0.reshape(-1).argmax()) if x0.any() else self.net.start_id])
        state = [(torch.from_numpy(a0.reshape(1, -1)), torch.from_numpy(c0.reshape(1, -1)))]
        step, outs = self.net.stepper(), []
        with torch.inference_mode():
            for _ in range(self.Ty):
                logits, state = step(ids, state)
                outs.append(logits.softmax(-1).numpy())
                ids = logits.argmax(-1)
        return outs


def music_inference_model(model: DJModel, Ty: int = 50) -> InferenceModel:
    """The course's inference model over the trained weights (no copy: the same LSTM)."""
    return InferenceModel(model, Ty)


def predict_and_sample(inference_model: InferenceModel, x_initializer=None, a_initializer=None, c_initializer=None):
    """results (Ty, n_values) one-hot and indices (Ty, 1) of the greedy sequence."""
    n, n_a = inference_model.model.n_values, inference_model.model.n_a
    x0 = np.zeros((1, 1, n)) if x_initializer is None else x_initializer
    a0 = np.zeros((1, n_a)) if a_initializer is None else a_initializer
    c0 = np.zeros((1, n_a)) if c_initializer is None else c_initializer
    pred = inference_model.predict([x0, a0, c0])
    indices = np.argmax(np.stack(pred), axis=-1)  # (Ty, 1)
    results = np.eye(n, dtype=np.float32)[indices[:, 0]]
    return results, indices


def generate_music(inference_model: InferenceModel, indices_values: dict, chords=None, path: str = "output/my_music.midi",
                   bars: int | None = None, temperature: float = 1.0, seed: int = 0, tempo: float = 130.0):
    """Improvise over `chords` (default: the default tune's) with this package's
    whole-solo generation (bars filled exactly, state carried, no repeated blocks)
    and write a MIDI file.  Returns the Solo."""
    if chords is None:
        chords = get_musical_data(None)[0]
    vocab = Vocab([indices_values[i] for i in range(len(indices_values))])
    ck = Checkpoint(inference_model.net, vocab, Chart(tempo=tempo))
    solo = improvise(ck, list(chords), bars, 1, SampleConfig(temperature=temperature, seed=seed), tempo=tempo)[0]
    write_midi(solo, path)
    print(f"Your generated music is saved in {path}")
    return solo
