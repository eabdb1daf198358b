"""The recipe's network in PyTorch: one-hot values -> LSTM(64) -> Dense softmax.

One set of weights serves both uses: `forward` runs whole windows (training,
with a hand-written backward through time, see LSTMSeq) and `step` advances
one value at a time (generation).  Gate order inside the 4H axis: i, f, o, g.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn


@dataclass
class ModelConfig:
    vocab_size: int  # number of grammar values (the course's n_values)
    hidden: int = 64  # LSTM units per layer (the course's n_a)
    layers: int = 1  # stacked LSTM layers (the recipe: 1)
    dropout: float = 0.0  # dropout between layers and before the Dense layer (the recipe: 0)
    embedding: int = 0  # 0: one-hot input, as in the recipe; > 0: a learned embedding of this size

    def __post_init__(self):
        if self.vocab_size < 1 or self.hidden < 1 or self.layers < 1 or self.embedding < 0:
            raise ValueError(f"bad model config {self}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")

    def to_dict(self) -> dict:
        return asdict(self)


@contextmanager
def torch_threads(n: int):
    """Run a block with `n` intra-op threads.  Training this small network is a chain of
    tiny operations: one thread beats two here (measured: 1.2 s vs 4.3 s for the recipe)."""
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def lstm_forward(xg, h, c, w_hh_t):
    """Run an LSTM layer over time (numpy, float32, no autograd).

    xg: (T, B, 4H) input contributions incl. bias; h, c: (B, H); w_hh_t: (H, 4H).
    Returns hs (T+1, B, H) with hs[0] = h, cs (T+1, B, H), the activated gates
    A (T, B, 4H) and tanh(c) (T, B, H).
    """
    T, B, G = xg.shape
    H, f = G // 4, xg.dtype
    hs, cs = np.empty((T + 1, B, H), f), np.empty((T + 1, B, H), f)
    A, tcs = np.empty((T, B, G), f), np.empty((T, B, H), f)
    g, ig = np.empty((B, G), f), np.empty((B, H), f)
    hs[0], cs[0] = h, c
    # sigmoid(x) = (1 + tanh(x / 2)) / 2: halve the i, f, o pre-activations once, then one
    # tanh per step covers all four gates
    xg = xg.copy()
    xg[..., :3 * H] *= 0.5
    w_hh_t = w_hh_t.copy()
    w_hh_t[:, :3 * H] *= 0.5
    for t in range(T):
        np.dot(hs[t], w_hh_t, out=g)
        g += xg[t]
        a = A[t]
        np.tanh(g, out=a)
        a3 = a[:, :3 * H]
        a3 *= 0.5
        a3 += 0.5
        np.multiply(a[:, H:2 * H], cs[t], out=cs[t + 1])  # f * c
        np.multiply(a[:, :H], a[:, 3 * H:], out=ig)
        cs[t + 1] += ig  # + i * g
        np.tanh(cs[t + 1], out=tcs[t])
        np.multiply(a[:, 2 * H:3 * H], tcs[t], out=hs[t + 1])  # h = o * tanh(c)
    return hs, cs, A, tcs


def _np(t):
    return t.detach().contiguous().numpy()


class LSTMSeq(torch.autograd.Function):
    """An LSTM layer over a whole window with a fused, hand-written backward through time.

    The time loops run in numpy on the tensors' memory: about a dozen small array
    operations per step each way, against several times that (and slower ones) for
    autograd over an unrolled cell, the course's way.
    """

    @staticmethod
    def forward(ctx, xg, h0, c0, w_hh):  # xg (T, B, 4H); w_hh (4H, H)
        hs, cs, A, tcs = lstm_forward(_np(xg), _np(h0), _np(c0), _np(w_hh).T.copy())
        ctx.np = (hs, cs, A, tcs, _np(w_hh))
        return torch.from_numpy(hs[1:]), torch.from_numpy(hs[-1].copy()), torch.from_numpy(cs[-1].copy())

    @staticmethod
    def backward(ctx, d_hs, d_hT, d_cT):
        hs, cs, A, tcs, w_hh = ctx.np
        T, B, G = A.shape
        H = G // 4
        # derivative factors, for all steps at once: o * (1 - tanh(c)^2) and the activations'
        otc = A[..., 2 * H:3 * H] * (1 - tcs * tcs)
        dact = np.empty_like(A)
        np.multiply(A[..., :3 * H], 1 - A[..., :3 * H], out=dact[..., :3 * H])
        np.subtract(1, A[..., 3 * H:] * A[..., 3 * H:], out=dact[..., 3 * H:])
        dG = np.empty_like(A)
        dh = _np(d_hT).copy() if d_hT is not None else np.zeros((B, H), A.dtype)
        dc = _np(d_cT).copy() if d_cT is not None else np.zeros((B, H), A.dtype)
        d_hs = _np(d_hs) if d_hs is not None else None
        for t in range(T - 1, -1, -1):
            a, d = A[t], dG[t]
            if d_hs is not None:
                dh += d_hs[t]
            np.multiply(dh, tcs[t], out=d[:, 2 * H:3 * H])  # d o
            dh *= otc[t]
            dc += dh
            np.multiply(dc, a[:, 3 * H:], out=d[:, :H])  # d i
            np.multiply(dc, cs[t], out=d[:, H:2 * H])  # d f
            np.multiply(dc, a[:, :H], out=d[:, 3 * H:])  # d g
            d *= dact[t]  # through the activations
            np.dot(d, w_hh, out=dh)
            dc *= a[:, H:2 * H]
        d_w = dG.reshape(T * B, G).T @ hs[:-1].reshape(T * B, H)
        return torch.from_numpy(dG), torch.from_numpy(dh), torch.from_numpy(dc), torch.from_numpy(d_w)


class HeadLoss(torch.autograd.Function):
    """The Dense softmax layer and the recipe's loss in one step (numpy inside):
    cross-entropy summed over time steps, averaged over the batch; targets < 0 are ignored."""

    @staticmethod
    def forward(ctx, hs, weight, bias, targets, batch):  # hs (T, B, H); weight (V, H); targets (T, B)
        h2, w = _np(hs).reshape(-1, hs.shape[-1]), _np(weight)
        logits = h2 @ w.T
        logits += _np(bias)
        y = targets.reshape(-1).numpy()
        rows = np.nonzero(y >= 0)[0]
        m = logits.max(1, keepdims=True)
        np.subtract(logits, m, out=logits)
        picked = logits[rows, y[rows]].copy()
        np.exp(logits, out=logits)
        total = logits.sum(1)
        loss = float((np.log(total[rows]) - picked).sum()) / batch
        ctx.np = (logits, total, h2, w, y, rows, batch, hs.shape)
        return hs.new_tensor(loss)

    @staticmethod
    def backward(ctx, grad):
        p, total, h2, w, y, rows, batch, shape = ctx.np
        p = p / total[:, None]  # softmax
        p[rows, y[rows]] -= 1.0
        p[y < 0] = 0.0
        p *= float(grad) / batch
        d_w, d_b, d_h = p.T @ h2, p.sum(0), p @ w
        return torch.from_numpy(d_h.reshape(shape)), torch.from_numpy(d_w), torch.from_numpy(d_b), None, None


class JazzLSTM(nn.Module):
    """values (B, T) ids -> logits (B, T, V).  Id `vocab_size` is the zero input (the course's x0)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        V, H, E = cfg.vocab_size, cfg.hidden, cfg.embedding
        self.start_id = V
        self.embed = nn.Embedding(V + 1, E, padding_idx=V) if E else None
        # layer 0's input weights: with one-hot input they are a lookup table (V+1, 4H)
        self.w_in = nn.ParameterList()
        self.w_hh = nn.ParameterList()
        self.bias = nn.ParameterList()
        for layer in range(cfg.layers):
            n_in = (E or V) if layer == 0 else H
            self.w_in.append(nn.Parameter(torch.empty(n_in + (1 if layer == 0 and not E else 0), 4 * H)))
            self.w_hh.append(nn.Parameter(torch.empty(4 * H, H)))
            self.bias.append(nn.Parameter(torch.zeros(4 * H)))
        self.drop = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(H, V)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Keras' LSTM/Dense defaults: glorot-uniform kernels, orthogonal recurrence, forget bias 1."""
        H = self.cfg.hidden
        for layer in range(self.cfg.layers):
            w = self.w_in[layer]
            fan_in = self.cfg.vocab_size if layer == 0 and not self.cfg.embedding else w.shape[0]
            bound = math.sqrt(6.0 / (fan_in + 4 * H))
            nn.init.uniform_(w, -bound, bound)
            if layer == 0 and not self.cfg.embedding:
                with torch.no_grad():
                    w[-1].zero_()  # the zero input row
            with torch.no_grad():  # orthogonal, as nn.init.orthogonal_, but numpy's QR (torch's first QR call costs ~0.1 s)
                a = torch.randn(4 * H, H).numpy().astype(np.float64)
                q, r = np.linalg.qr(a)
                self.w_hh[layer].copy_(torch.from_numpy((q * np.sign(np.diag(r))).astype(np.float32)))
            with torch.no_grad():
                self.bias[layer].zero_()
                self.bias[layer][H:2 * H] = 1.0
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def init_state(self, batch: int) -> list:
        """Zero (h, c) per layer, as the course's a0, c0."""
        H = self.cfg.hidden
        return [(torch.zeros(batch, H), torch.zeros(batch, H)) for _ in range(self.cfg.layers)]

    def _input_gates(self, ids_t):  # (T, B) -> (T, B, 4H)
        if self.embed is None:
            return self.w_in[0][ids_t] + self.bias[0]
        return torch.addmm(self.bias[0], self.drop(self.embed(ids_t)).reshape(-1, self.cfg.embedding),
                           self.w_in[0]).reshape(*ids_t.shape, -1)

    def hidden(self, ids_t, state=None):
        """Time-major ids (T, B) -> the top layer's outputs hs (T, B, H), new state.
        Ids < 0 are read as the zero input."""
        ids_t = torch.where(ids_t < 0, torch.full_like(ids_t, self.start_id), ids_t)
        T, B = ids_t.shape
        state = state or self.init_state(B)
        new_state = []
        xg, hs = self._input_gates(ids_t), None  # (T, B, 4H)
        for layer in range(self.cfg.layers):
            if layer:  # the layer below's outputs hs (T, B, H) feed this one
                xg = torch.addmm(self.bias[layer], self.drop(hs).reshape(T * B, -1), self.w_in[layer]).reshape(T, B, -1)
            h0, c0 = state[layer]
            hs, hT, cT = LSTMSeq.apply(xg, h0, c0, self.w_hh[layer])  # hs (T, B, H)
            new_state.append((hT, cT))
        return hs, new_state

    def forward(self, ids, state=None, time_major: bool = False):
        """ids (B, T) -> logits (B, T, V), new state.  Ids < 0 are read as the zero input.

        With time_major=True, ids are (T, B) and logits come back (T, B, V), contiguous.
        """
        hs, new_state = self.hidden(ids if time_major else ids.t(), state)
        logits = self.head(self.drop(hs))  # (T, B, V)
        return (logits if time_major else logits.transpose(0, 1)), new_state

    def loss(self, ids, targets):
        """The training loss for time-major ids and targets (T, B): cross-entropy summed
        over the steps, averaged over the batch; targets < 0 count for nothing."""
        hs, _ = self.hidden(ids)
        return HeadLoss.apply(self.drop(hs), self.head.weight, self.head.bias, targets, ids.shape[1])

    @torch.inference_mode()
    def step(self, ids, state):
        """One generation step: ids (B,) -> logits (B, V), new state [(h, c) per layer]."""
        return self.stepper()(ids, state)

    @torch.inference_mode()
    def stepper(self):
        """A fast `step` for generation: the weights are folded into lookup tables once
        (layer 0's input projection + bias is one row per value), so a step costs about
        ten small tensor operations.  Use it while the weights do not change."""
        H, layers = self.cfg.hidden, self.cfg.layers
        if self.embed is None:
            table = (self.w_in[0] + self.bias[0]).contiguous()  # (V+1, 4H)
        else:
            table = torch.addmm(self.bias[0], self.embed.weight, self.w_in[0])
        w_hh = [w.t().contiguous() for w in self.w_hh]
        w_in = [None] + [w.contiguous() for w in self.w_in[1:]]
        head_w, head_b = self.head.weight.t().contiguous(), self.head.bias.detach()
        bias = [b.detach() for b in self.bias]

        def step(ids, state):
            x, new = None, []
            for layer in range(layers):
                h, c = state[layer]
                xg = table[ids] if layer == 0 else torch.addmm(bias[layer], x, w_in[layer])
                g = torch.addmm(xg, h, w_hh[layer])  # (B, 4H)
                sig = torch.sigmoid(g[:, :3 * H])
                c = torch.addcmul(sig[:, H:2 * H] * c, sig[:, :H], torch.tanh(g[:, 3 * H:]))
                x = sig[:, 2 * H:] * torch.tanh(c)
                new.append((x, c))
            return torch.addmm(head_b, x, head_w), new

        return step

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
