"""The recipe's network in PyTorch: one-hot values -> LSTM(64) -> Dense softmax.

One set of weights serves both uses: `forward` runs whole windows (training; the
recurrence is torch's own LSTM kernel -- cuDNN on CUDA -- through `functional_call`,
so autograd, DDP and devices work as for any module) and `stepper` advances one value
at a time (generation).  Gate order inside the 4H axis: i, f, o, g.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from jazz_lstm.models.recipe.config import ModelConfig


@lru_cache(maxsize=8)
def _proto(hidden: int) -> nn.LSTM:
    """An nn.LSTM of the right sizes as a template for functional_call (its own weights are never used)."""
    return nn.LSTM(4 * hidden, hidden)


def lstm_layer(xg, h0, c0, w_hh):
    """torch's LSTM over precomputed input gates.  xg (T, B, 4H) includes the bias; h0, c0
    (B, H); w_hh (4H, H), gates in the order i, f, o, g.  Returns hs (T, B, H), hT, cT."""
    H = w_hh.shape[1]
    order = torch.cat([torch.arange(0, 2 * H), torch.arange(3 * H, 4 * H), torch.arange(2 * H, 3 * H)]).to(xg.device)
    eye = torch.eye(4 * H, dtype=xg.dtype, device=xg.device)
    zeros = torch.zeros(4 * H, dtype=xg.dtype, device=xg.device)
    proto = _proto(H)
    params = {"weight_ih_l0": eye, "weight_hh_l0": w_hh[order], "bias_ih_l0": zeros, "bias_hh_l0": zeros}
    hs, (hT, cT) = torch.func.functional_call(proto, params, (xg[..., order], (h0[None], c0[None])))
    return hs, hT[0], cT[0]


class JazzLSTM(nn.Module):
    """values (B, T) ids -> logits (B, T, V).  Id `vocab_size` is the zero input (the course's x0)."""
    KIND = "recipe"  # the model kind (models.base.KINDS)

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
        if self.w_hh[0].is_meta:  # built for its shapes only (checkpoint.load checks a file's header with it)
            return
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
            hs, hT, cT = lstm_layer(xg, h0, c0, self.w_hh[layer])  # hs (T, B, H)
            new_state.append((hT, cT))
        return hs, new_state

    def forward(self, ids, targets=None, time_major: bool = False):
        """ids (B, T) -> (logits (B, T, V), loss).  Ids < 0 are read as the zero input.
        targets (B, T), -100 for none: the loss is the recipe's, cross-entropy summed over the
        steps and averaged over the batch; None without targets.

        With time_major=True, ids and targets are (T, B) and logits come back (T, B, V), contiguous.
        (The LSTM state: `hidden`; step by step: `stepper`.)
        """
        hs, _ = self.hidden(ids if time_major else ids.t())
        logits = self.head(self.drop(hs))  # (T, B, V)
        loss = None
        if targets is not None:
            tgt = targets if time_major else targets.t()  # (T, B)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100,
                                   reduction="sum") / tgt.shape[1]
        return (logits if time_major else logits.transpose(0, 1)), loss

    def loss(self, ids, targets):
        """The training loss for time-major ids and targets (T, B) (see forward)."""
        return self.forward(ids, targets, time_major=True)[1]

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
