"""Sampling the chord-aware model over a chart: n solos at once, factor by factor,
always under the grammar's masks (no value crosses its bar line), with the harmony of
the chart fed in at every onset.  Over different charts the same seed gives different lines.

    tokens = sample_chart(ck.model, changes, bars=32, beats_per_bar=4.0, n=4, cfg=SampleConfig(seed=1))
"""
from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import torch

from jazz_lstm.core.music import to_steps
from jazz_lstm.grammar.codec import Decoder
from jazz_lstm.grammar.features import (
    INT_MAX,
    N_DUR,
    N_INT,
    NOTE_TYPES,
    TYPES,
    chord_roots,
    harmony_features,
    pitch_features,
    split_id,
    unfactorize,
    value_id,
)
from jazz_lstm.grammar.novelty import CopyTracker, SuffixAutomaton
from jazz_lstm.models.chord.model import NEG, dur_mask, int_mask, type_mask
from jazz_lstm.models.sample import CHORD_TEMPERATURE, SampleConfig, choose

_T, _R = TYPES.index("T"), TYPES.index("R")


def shape_id(vid: int) -> int:
    """A value's melodic shape: its id with the tone types C, S, A, X made one (the type depends
    on the chord; the interval and the duration are what a listener hears as the same line)."""
    ty, du, iv = split_id(vid)
    return value_id(0 if ty < len(NOTE_TYPES) else ty, du, iv)


def corpus_shapes(corpus: list[list[int]]) -> list[list[int]]:
    """Each training stream's melodic shapes (shape_id of every value but the rests, which are
    silent), computed on arrays: the same as the per-value shape_id, 30x faster."""
    per_type, rest = N_DUR * N_INT, TYPES.index("R")
    out = []
    for s in corpus:
        a = np.asarray(s, dtype=np.int64)
        ty = a // per_type
        a, ty = a[ty != rest], ty[ty != rest]
        out.append(np.where(ty < len(NOTE_TYPES), a % per_type, a).tolist())
    return out


class _Guard:
    """The novelty guard over melodic shapes: no passage of more than K notes copied from the
    training solos, over any chords (see shape_id), rests or not between them -- the notes as
    a listener hears them, as metrics.longest_copy_notes counts them.  It follows the notes as
    decoded and, as that count includes the note a copied run starts from, it bans what would
    make a run of K - 1 shapes."""

    _last: tuple = (None, None)  # (corpus, automaton): built once for a model, not on every call

    def __init__(self, corpus, n: int, max_copy: int):
        if _Guard._last[0] is not corpus:
            _Guard._last = (corpus, SuffixAutomaton(corpus_shapes(corpus)))
        self.k, self.trackers = max(1, max_copy - 1), [CopyTracker(_Guard._last[1]) for _ in range(n)]

    def banned(self, r: int) -> dict:
        """(shape type, dur) -> set of banned interval classes, for solo r."""
        out: dict = {}
        for vid in self.trackers[r].banned(self.k):
            ty, du, iv = split_id(vid)
            out.setdefault((ty, du), set()).add(iv)
        return out


@torch.inference_mode()
def sample_chart(model, changes, bars: int, beats_per_bar: float, n: int = 1, cfg: SampleConfig | None = None,
                 corpus: list | None = None, register: tuple = (52, 84), on_bar=None,
                 tempo: float | None = None) -> list[tuple[list[str], list]]:
    """n solos of exactly `bars` bars over `changes` (chords covering them, times in beats
    from 0), each decoded into notes as it is sampled (the model hears where its line is).
    Returns (grammar values, Notes) per solo; solo i's pitch choices are seeded with
    cfg.seed * 1000 + i, inside `register` (low, high MIDI pitches).  cfg.max_copy with the
    training `corpus` (value ids) keeps any run of more than K values from copying it.
    on_bar(bars_done, bars): progress, as the slowest solo completes each bar.  tempo (quarter
    notes a minute) and cfg.breath / cfg.pace steer the phrasing (see _Steer)."""
    cfg = cfg or SampleConfig()
    if cfg.temperature is None:
        cfg = replace(cfg, temperature=CHORD_TEMPERATURE)
    gen = torch.Generator().manual_seed(cfg.seed)
    model.eval()
    bar = to_steps(beats_per_bar)
    total = bars * bar
    table = torch.from_numpy(harmony_features(changes, range(total), beats_per_bar))  # (steps, HARMONY_DIM)
    roots = chord_roots(changes, range(total))
    decoders = [Decoder(changes, None, random.Random(cfg.seed * 1000 + i), 0.0, beats_per_bar, *register, exact=True)
                for i in range(n)]
    guard = _Guard(corpus, n, cfg.max_copy) if cfg.max_copy and corpus else None
    pos = np.zeros(n, dtype=np.int64)
    has_prev = np.zeros(n, dtype=bool)
    sounding = np.zeros(n, dtype=bool)
    prev = model.start_ids(n)
    steer = _Steer(n, cfg, tempo)
    state = None
    out: list[list[str]] = [[] for _ in range(n)]
    done = 0
    while (pos < total).any():
        live = pos < total
        if on_bar is not None and int(pos.min()) // bar > done:
            done = int(pos.min()) // bar
            on_bar(done, bars)
        at = np.minimum(pos, total - 1)
        cond, in_register = _conditions(table, roots, decoders, at, register)
        h, new_state = model.hidden(prev[:, None], cond[:, None], state)
        h = h[:, 0]
        legal = torch.from_numpy(np.stack([bar - at % bar, has_prev, (at % bar == 0) & sounding], -1).astype(np.int64))
        ty = choose(steer.types(model.type_head(h)).masked_fill(~type_mask(cond, legal), NEG), cfg, gen)
        dl = steer.durations(model.dur_logits(h, ty).masked_fill(~dur_mask(legal), NEG), ty)
        ban = [guard.banned(r) for r in range(n)] if guard is not None else None
        note = ty < len(NOTE_TYPES)
        want = note & torch.from_numpy(has_prev)
        shape_ty = torch.where(note, 0, ty)
        if ban:
            _ban_durations(dl, ban, shape_ty, want)
        du = choose(dl, cfg, gen)
        ok = int_mask(cond, legal, ty)
        ok_here = ok & torch.cat([torch.ones(n, 1, dtype=torch.bool), in_register], -1)  # stay in the register
        ok = torch.where(ok_here.any(-1, keepdim=True), ok_here, ok)
        il = model.int_logits(h, ty, du).masked_fill(~ok, NEG)
        if ban:
            _ban_intervals(il, ban, shape_ty, du)
        iv = choose(il, cfg, gen)
        for r in np.nonzero(live)[0]:
            t, d = int(ty[r]), int(du[r])
            out[r].append(_feed(decoders[r], guard.trackers[r] if guard is not None else None, t, d, int(iv[r])))
            pos[r] += d + 1
            steer.feed(r, t, d)
            has_prev[r] |= t < len(NOTE_TYPES)
            sounding[r] = t != _R
        prev, state = torch.stack([ty, du, iv], -1), new_state  # (a finished solo steps on, unread)
    return [(tokens, dec.notes) for tokens, dec in zip(out, decoders)]


BREATH_FROM = 3  # notes into a phrase before the breath steer starts (chosen on the default model's 31 validation
# solos among 3, 4, 6 with breath 1, 1.5, 2: silence, longest phrase and notes a bar inside the humans' quartiles)
BREATH_STEPS = 6  # a breath lasts at least this many grid steps (half a beat)


class _Steer:
    """Phrasing the model does not learn by itself, steered at sampling time.  Breath: after
    BREATH_FROM notes without a rest, the rest type's logit grows by cfg.breath / 3 a note and such
    a rest lasts at least half a beat.  Pace: above 160 bpm, durations of a sixteenth or less lose
    2 * cfg.pace logits per 80 bpm (humans play fewer sixteenths as the tempo rises; the model,
    which has no tempo input, does not).  cfg.breath = cfg.pace = 0: the model alone."""

    def __init__(self, n: int, cfg: SampleConfig, tempo: float | None):
        self.since = np.zeros(n)
        self.breath = float(cfg.breath)
        self.fast = float(cfg.pace) * max(0.0, ((tempo or 0.0) - 160.0) / 80.0)

    def types(self, logits: torch.Tensor) -> torch.Tensor:  # (n, 6)
        if not self.breath:
            return logits
        push = torch.from_numpy(self.breath * np.maximum(0.0, self.since - BREATH_FROM) / 3.0).to(logits.dtype)
        logits = logits.clone()
        logits[:, _R] += push
        return logits

    def durations(self, dl: torch.Tensor, ty: torch.Tensor) -> torch.Tensor:  # (n, 96), the types drawn (n,)
        if self.breath:
            for r in np.nonzero((ty == _R).numpy() & (self.since >= BREATH_FROM))[0]:
                if (dl[r, BREATH_STEPS - 1:] > NEG / 2).any():
                    dl[r, :BREATH_STEPS - 1] = NEG
        if self.fast:
            dl[ty < len(NOTE_TYPES), :3] -= 2.0 * self.fast
        return dl

    def feed(self, r: int, t: int, d: int) -> None:
        if t < len(NOTE_TYPES):
            self.since[r] += 1
        elif t == _R and d + 1 >= 3:
            self.since[r] = 0


def _conditions(table, roots, decoders, at, register) -> tuple:
    """The model's input at each solo's position -- the chart's harmony there and where the line
    is (cond (n, C)) -- and which of the 73 intervals land inside the register ((n, 73))."""
    last = np.array([d.prev if d.prev is not None else -1 for d in decoders])
    where = pitch_features(last, roots[at])
    landing = last[:, None] + np.arange(-INT_MAX, INT_MAX + 1)[None]
    in_register = torch.from_numpy((landing >= register[0]) & (landing <= register[1]))
    return torch.cat([table[at], torch.from_numpy(where)], -1), in_register


def _ban_durations(dl, ban, shape_ty, want) -> None:
    """The novelty guard on the duration: a duration all of whose intervals are banned is banned
    (unless it is the only one left)."""
    for r in range(dl.shape[0]):
        for (bt, bd), ivs in ban[r].items():
            full = ivs >= (set(range(1, N_INT)) if want[r] else {0})
            if bt == int(shape_ty[r]) and full and (dl[r] > NEG / 2).sum() > 1:
                dl[r, bd] = NEG


def _ban_intervals(il, ban, shape_ty, du) -> None:
    """The novelty guard on the interval, given the duration drawn (never every interval)."""
    for r in range(il.shape[0]):
        ivs = ban[r].get((int(shape_ty[r]), int(du[r])))
        if ivs and (il[r] > NEG / 2).sum() > len(ivs):
            il[r, sorted(ivs)] = NEG


def _feed(decoder, tracker, t: int, d: int, i: int) -> str:
    """One sampled value into its solo's decoder (and the guard's tracker, with the interval as
    played); returns the grammar value."""
    value = unfactorize(t, d, i)
    before = decoder.prev
    after = decoder.feed(value)
    if tracker is not None and t < len(NOTE_TYPES) and before is not None:
        i = max(1, min(N_INT - 1, after - before + INT_MAX + 1))  # the interval as played
    if tracker is not None and t != _R:
        tracker.feed(shape_id(value_id(t, d, i)))
    return value
