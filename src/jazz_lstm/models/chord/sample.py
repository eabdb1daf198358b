"""Sampling the chord-aware model over a chart: n solos at once, factor by factor,
always under the grammar's masks (no value crosses its bar line), with the harmony of
the chart fed in at every onset.  Over different charts the same seed gives different lines.

    tokens = sample_chart(ck.model, changes, bars=32, beats_per_bar=4.0, n=4, cfg=SampleConfig(seed=1))
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import threading
from dataclasses import replace
from functools import lru_cache

import numpy as np
import torch

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import cache_dir, write_atomic
from jazz_lstm.core.music import Note, chord_finder, to_steps
from jazz_lstm.grammar.codec import GRID, Terminal, choose_pitch, parse_token
from jazz_lstm.grammar.features import (
    COND_DIM,
    DUR_MAX,
    HARMONY_COND_DIM,
    HARMONY_DIM,
    INT_MAX,
    BREATH_REST,
    N_DUR,
    N_INT,
    NOTE_TYPES,
    N_TYPE,
    PITCH_DIM,
    PREV_BITS,
    SCALE_BITS,
    SINCE_BITS,
    TYPES,
    chord_roots,
    harmony_features,
    pitch_features,
    split_id,
    time_features,
    unfactorize,
    value_id,
)
from jazz_lstm.grammar.novelty import SuffixAutomaton
from jazz_lstm.models.chord.model import NEG, dur_mask, int_mask, tone_types, type_mask
from jazz_lstm.models.sample import CHORD_TEMPERATURE, SampleConfig, choose

_T, _R, _C = TYPES.index("T"), TYPES.index("R"), TYPES.index("C")


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


def guard_automaton(corpus: list[list[int]]) -> SuffixAutomaton:
    """The suffix automaton over the training streams' melodic shapes, from the user's cache when a run
    before built it for the same streams (a file of flat arrays, never a pickle), else built and kept
    there: 0.3-0.6 s of every `generate` saved; where the cache cannot be written it is only built."""
    shapes = corpus_shapes(corpus)
    flat = np.concatenate([np.asarray(s, np.int64) for s in shapes] + [np.asarray([len(s) for s in shapes], np.int64)])
    path = os.path.join(cache_dir(), f"guard2-{hashlib.sha256(flat.tobytes()).hexdigest()[:32]}.npz")
    try:
        with np.load(path, allow_pickle=False) as z:
            return SuffixAutomaton.from_arrays({k: z[k] for k in z.files})
    except Exception:  # none yet, or damaged (any error of numpy's reader): a cache never costs the solo, build it
        pass
    sam = SuffixAutomaton(shapes)
    try:
        buf = io.BytesIO()
        np.savez(buf, **sam.to_arrays())
        os.makedirs(cache_dir(), exist_ok=True)
        write_atomic(path, buf.getvalue())
    except (OSError, JazzError):  # a cache that cannot be written costs time, never the solo
        pass
    return sam


_GUARD_LOCK = threading.Lock()


class _Guard:
    """The novelty guard over melodic shapes: no passage of more than K notes copied from the
    training solos, over any chords (see shape_id), rests or not between them -- the notes as
    a listener hears them, as metrics.longest_copy_notes counts them.  It follows the notes as
    decoded and, as that count includes the note a copied run starts from, it bans what would
    make a run of K - 1 shapes."""

    _last: tuple = (None, None)  # (corpus, automaton): built once for a model, not on every call

    def __init__(self, corpus, n: int, max_copy: int):
        with _GUARD_LOCK:  # the studio samples in threads: one builds (or reads) the automaton, the others reuse it
            if _Guard._last[0] is not corpus:
                _Guard._last = (corpus, guard_automaton(corpus))
            self.trackers = _Guard._last[1].trackers(n)  # (its look-up tables made under the lock too)
        self.k = max(1, max_copy - 1)

    def feed(self, ty, du, iv, before, played, live) -> None:
        """The values just played, as a listener hears them: a note after a note by the interval it was
        played at (the register may have moved it), rests left out (they are silent)."""
        step = np.minimum(np.maximum(played - before + INT_MAX + 1, 1), N_INT - 1)  # (np.clip's own cost is more)
        heard = np.where((ty < len(NOTE_TYPES)) & (before >= 0), step, iv)
        shape = value_id(np.where(ty < len(NOTE_TYPES), 0, ty), du, heard)  # shape_id, on arrays
        self.trackers.feed(shape, np.nonzero(live & (ty != _R))[0])

    def all_banned(self) -> list | None:
        """banned(r) of every solo, {} where its copied run is still short of K; None where every one's is
        (most of the time)."""
        long = self.trackers.run >= self.k
        return [self.banned(r) if long[r] else {} for r in range(len(long))] if long.any() else None

    def banned(self, r: int) -> dict:
        """(shape type, dur) -> set of banned interval classes, for solo r."""
        out: dict = {}
        for vid in self.trackers.banned(r, self.k):
            ty, du, iv = split_id(vid)
            out.setdefault((ty, du), set()).add(iv)
        return out


class _Masks:
    """The grammar's masks over one chart, as numpy tables made once from the model's own mask functions
    (type_mask, dur_mask, int_mask, tone_types over each distinct chord and scale of the chart, each
    last pitch class and type): a step reads them with a few index operations, no torch op per mask."""

    def __init__(self, harmony: np.ndarray, bar: int):
        bits = harmony[:, :SCALE_BITS.stop] > 0.5  # the chord's and its scale's 24 bits decide every mask
        _, first, inv = np.unique(bits @ (1 << np.arange(bits.shape[1], dtype=np.int64)), return_index=True,
                                  return_inverse=True)
        uniq = harmony[first, :SCALE_BITS.stop]
        self.u, self.bar = inv.reshape(-1), bar  # (steps,): which distinct chord sounds at each step
        cond = torch.zeros(len(uniq), 12, COND_DIM)  # (U, last pitch class, C)
        cond[..., :SCALE_BITS.stop] = torch.from_numpy(uniq)[:, None]
        cond[..., PREV_BITS] = torch.eye(12)
        has_prev = torch.tensor([DUR_MAX, 1, 1]).expand(len(uniq), 12, 3)
        self.types = tone_types(cond[:, 0]).numpy()  # (U, 12)
        self.type_ok = type_mask(cond[:, 0], has_prev[:, 0]).numpy()  # (U, N_TYPE); the tie's column set per step
        self.int_ok = torch.stack([int_mask(cond, has_prev, torch.full((len(uniq), 12), t)) for t in range(N_TYPE)],
                                  2).numpy()  # (U, 12, N_TYPE, N_INT) after a note
        self.none = int_mask(cond[:1, 0], has_prev[:1, 0] * 0, torch.zeros(1, dtype=torch.long)).numpy()  # (1, N_INT)
        rooms = torch.arange(bar + 1)[:, None]
        self.dur_ok = dur_mask(torch.cat([rooms, rooms * 0, rooms * 0], -1)).numpy()  # (bar + 1, N_DUR) by room left

    def at(self, lines: Lines, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each solo's tone types over its chord (n, 12), its legal types (n, N_TYPE) and durations (n, N_DUR)."""
        u = self.u[at]
        types = self.types[u]
        type_ok = self.type_ok[u]
        type_ok[:, _T] = (at % self.bar == 0) & lines.sounding
        return types, type_ok, self.dur_ok[self.bar - at % self.bar]

    def intervals(self, lines: Lines, at: np.ndarray, roots: np.ndarray, ty: np.ndarray, in_register) -> np.ndarray:
        """(n, N_INT) the legal intervals given each solo's type, inside the register where any is."""
        pc = np.where(lines.prev >= 0, (lines.prev - roots) % 12, 0)
        ok = np.where((lines.has_prev & (ty < len(NOTE_TYPES)))[:, None], self.int_ok[self.u[at], pc, ty], self.none)
        here = ok.copy()
        here[:, 1:] &= in_register
        return np.where(here.any(-1, keepdims=True), here, ok)


@torch.inference_mode()
def sample_chart(model, changes, bars: int, beats_per_bar: float, n: int = 1, cfg: SampleConfig | None = None,
                 corpus: list | None = None, register: tuple = (52, 84), on_bar=None,
                 tempo: float | None = None, sections=()) -> list[tuple[list[str], list]]:
    """n solos of exactly `bars` bars over `changes` (chords covering them, times in beats
    from 0), each decoded into notes as it is sampled (the model hears where its line is).
    Returns (grammar values, Notes) per solo; solo i's pitch choices are seeded with
    cfg.seed * 1000 + i, inside `register` (low, high MIDI pitches).  cfg.max_copy with the
    training `corpus` (value ids) keeps any run of more than K values from copying it.
    on_bar(bars_done, bars): progress, as the slowest solo completes each bar.  tempo (quarter
    notes a minute) and cfg.breath / cfg.pace steer the phrasing (see _Steer).  sections: beats where
    the form's sections start (heard by a model whose config says so: features.bar_in_section)."""
    cfg = cfg or SampleConfig()
    if cfg.temperature is None:
        cfg = replace(cfg, temperature=CHORD_TEMPERATURE)
    gen = torch.Generator().manual_seed(cfg.seed)
    model.eval()
    bar = to_steps(beats_per_bar)
    total = bars * bar
    form = [to_steps(b) for b in sections] if model.cfg.sections else ()
    table = np.concatenate([harmony_features(changes, range(total), beats_per_bar),  # (steps, COND_DIM): the line's
                            np.zeros((total, PITCH_DIM), np.float32),  # own features (its last pitch, the notes since
                            time_features(tempo or 120.0, np.zeros(total), range(total), beats_per_bar, total, form)], 1)
    masks = _Masks(table, bar)  # (its breath) are set at each step, by _conditions
    roots = chord_roots(changes, range(total))
    lines = Lines(changes, n, bar, register, cfg.seed)
    guard = _Guard(corpus, n, cfg.max_copy) if cfg.max_copy and corpus else None
    prev = model.start_ids(n)
    steer = _Steer(n, cfg, tempo, _Cadence(n, total, bar) if cfg.cadence else None,
                   change_zone(changes, total) if cfg.change else None)
    motif = _Motif(n, cfg.motif * bar, total - bar if cfg.cadence else total, register) if cfg.motif else None
    state = None
    done = 0
    while (lines.pos < total).any():
        live = lines.pos < total
        if on_bar is not None and int(lines.pos.min()) // bar > done:
            done = int(lines.pos.min()) // bar
            on_bar(done, bars)
        at = np.minimum(lines.pos, total - 1)
        cond, in_register = _conditions(table, roots, lines.prev, lines.since, at, register)
        h, state = model.hidden(prev[:, None], cond[:, None], state)  # (a finished solo steps on, unread)
        h = h[:, 0]
        types, type_ok, dur_ok = masks.at(lines, at)
        ty = choose(steer.types(model.type_head(h), lines).masked_fill(torch.from_numpy(~type_ok), NEG), cfg, gen)
        t_np = ty.numpy()
        dl = steer.durations(model.dur_logits(h, ty).masked_fill(torch.from_numpy(~dur_ok), NEG), t_np, lines)
        ban = guard.all_banned() if guard is not None else None
        shape_ty = np.where(t_np < len(NOTE_TYPES), 0, t_np) if ban else None
        if ban:
            _ban_durations(dl, ban, shape_ty, (t_np < len(NOTE_TYPES)) & lines.has_prev)
        du = choose(dl, cfg, gen)
        d_np = du.numpy()
        ok = masks.intervals(lines, at, roots[at], t_np, in_register)
        il = model.int_logits(h, ty, du).masked_fill(torch.from_numpy(~ok), NEG)
        if ban:
            _ban_intervals(il, ban, shape_ty, d_np)
        iv = choose(il, cfg, gen)
        i_np = iv.numpy()
        if motif is not None:
            t_np, d_np, i_np = motif.force(lines, t_np, d_np, i_np, live, types, roots[at])
            ty, du, iv = (torch.from_numpy(a) for a in (t_np, d_np, i_np))
        before = lines.prev
        steer.feed(t_np, live, lines.pos)
        played = lines.feed(t_np, d_np, i_np, live, types, roots[at])
        if motif is not None:
            motif.record(t_np, d_np, played, live, roots[at])
        if guard is not None:
            guard.feed(t_np, d_np, i_np, before, played, live)
        prev = torch.stack([ty, du, iv], -1)
    return lines.solos()


class Lines:
    """The n solos' lines as they are sampled, in arrays: where each is (`pos`, grid steps), its last
    pitch (`prev`, -1 before the first note), whether it has one and whether a note sounds; every
    value (its factors, pitch and onset) kept as drawn.  feed() plays a step's values for the live
    solos at once -- a note after a note lands exactly on the interval drawn (the masks made it a pitch
    of its type inside the register); the rare other note (a solo's first, or one the masks could not
    place) is chosen as grammar.codec.choose_pitch chooses it, with that solo's own random stream,
    so the notes are those grammar.codec.Decoder(exact=True) makes of the same values."""

    def __init__(self, changes, n: int, bar: int, register: tuple, seed: int):
        self.chord_at, self.bar, (self.low, self.high) = chord_finder(changes), bar, register
        self.rngs = [random.Random(seed * 1000 + i) for i in range(n)]
        self.pos = np.zeros(n, dtype=np.int64)
        self.prev = np.full(n, -1, dtype=np.int64)
        self.has_prev = np.zeros(n, dtype=bool)
        self.sounding = np.zeros(n, dtype=bool)
        self.note_end = np.full(n, -1, dtype=np.int64)  # where the last note ended (a tie continues it there)
        self.since = np.zeros(n, dtype=np.int64)  # notes since the last breath (a rest of BREATH_REST steps or more)
        self.steps: list = []  # per step: (live, type, duration, interval, pitch, onset, length, tied) arrays

    def feed(self, ty, du, iv, live, types, roots) -> np.ndarray:
        """One value per live solo (factor arrays (n,)); types (n, 12) the tone types over each chord
        from its root, roots (n,).  Returns the pitch each now plays (-1: a rest)."""
        pos, prev = self.pos, self.prev
        tie = (ty == _T) & (prev >= 0)
        note = live & (ty != _R) & ~tie  # a tie with nothing before it is played as a chord tone
        pitch = np.where(tie, prev, -1)
        cand = prev + iv - INT_MAX - 1
        fits = ((prev >= 0) & (iv > 0) & (cand >= self.low) & (cand <= self.high) & (ty < len(NOTE_TYPES))
                & (types[np.arange(len(ty)), (cand - roots) % 12] == ty))
        pitch = np.where(note & fits, cand, pitch)
        for r in np.nonzero(note & ~fits)[0]:  # as Decoder.feed does it, a tie with nothing before it a chord tone
            term = parse_token(unfactorize(int(ty[r]), int(du[r]), int(iv[r])))
            term = Terminal("C", term.steps) if term.type == "T" else term
            pitch[r] = choose_pitch(term, self.chord_at(int(pos[r])), None if prev[r] < 0 else int(prev[r]),
                                    self.rngs[r], self.low, self.high, True)
        pitch = np.where(live, pitch, -1)
        length = np.minimum(du + 1, (pos // self.bar + 1) * self.bar - pos)
        tied = live & tie & (self.note_end == pos)
        self.steps.append((live, ty, du, iv, pitch, pos.copy(), length, tied))
        sound = pitch >= 0
        self.prev = np.where(sound, pitch, prev)
        self.note_end = np.where(sound, pos + length, self.note_end)
        self.has_prev |= live & (ty < len(NOTE_TYPES))
        self.sounding = np.where(live, ty != _R, self.sounding)
        self.since = np.where(live & (ty < len(NOTE_TYPES)), self.since + 1, self.since)
        self.since = np.where(live & (ty == _R) & (du + 1 >= BREATH_REST), 0, self.since)  # (as phrase_counts)
        self.pos = np.where(live, pos + du + 1, pos)
        return pitch

    def solos(self) -> list[tuple[list[str], list[Note]]]:
        """Each solo's grammar values and Notes."""
        live, ty, du, iv, pitch, pos, length, tied = (np.stack(a, 1) for a in zip(*self.steps))  # each (n, steps)
        out = []
        for r in range(len(self.pos)):
            k = live[r]
            tokens = [unfactorize(*f) for f in zip(ty[r, k].tolist(), du[r, k].tolist(), iv[r, k].tolist())]
            s = k & (pitch[r] >= 0)
            notes = [Note(p, on / GRID, ln / GRID, 90, t)
                     for p, on, ln, t in zip(pitch[r, s].tolist(), pos[r, s].tolist(), length[r, s].tolist(),
                                             tied[r, s].tolist())]
            out.append((tokens, notes))
        return out


BREATH_FROM = 1  # notes into a phrase from which the breath steer acts (chosen with cfg.breath on the time-aware
# default model's 31 validation solos: a flat push from the first note, 0.7-1.4, beside growing pushes from 3 or 5
# notes; only a flat push kept the mean and the longest phrase both inside the humans' quartiles)
BREATH_STEPS = BREATH_REST  # a breath lasts at least this many grid steps (a quarter beat: what ends a phrase). Half a
# beat (6, 0.3.x) made the breaths too long: the classifier told 8-bar pieces from the humans' by their phrases between
# rests of a beat (validation: 10 notes against 19); a quarter beat with cfg.breath 1.0 took its accuracy from 0.74
# to 0.69 there, the silence share from 22% to 17% (humans 16%)


SHORT_STEPS = 6  # a short breath: under this many grid steps (half a beat); cfg.breath_short favours them


def change_zone(changes, total: int) -> np.ndarray:
    """(total,) bool: the grid steps in the first beat of a chord change (a chord other than the one before
    it) -- where metrics.changes_hit looks for the note that meets the change."""
    zone = np.zeros(total, dtype=bool)
    for a, c in zip(changes, changes[1:]):
        if a.symbol != c.symbol:
            zone[max(0, to_steps(c.start)):max(0, min(to_steps(c.end), to_steps(c.start + 1.0), total))] = True
    return zone


class _Steer:
    """Phrasing the model does not learn by itself, steered at sampling time.  Breath: from BREATH_FROM
    notes without a rest on, the rest type's logit is raised by cfg.breath -- a constant hazard of
    breathing, the shape of the humans' phrase lengths (many short phrases, a few long ones) -- and such
    a rest lasts at least a quarter beat (BREATH_STEPS), most often under half a beat (cfg.breath_short).  Pace: above 160 bpm, durations of a sixteenth or less lose
    2 * cfg.pace logits per 80 bpm (for models without the tempo input; off by default: the time-aware
    model plays fewer sixteenths as the tempo rises by itself).  Change: in the first beat of a chord change
    (`zone`, change_zone's) the chord-tone type's logit is lowered by cfg.change and the other note types'
    raised to keep a note as likely as before -- the model alone meets a change on a chord tone more often
    than the humans do.  cfg.breath = cfg.pace = cfg.change = 0: the model alone."""

    def __init__(self, n: int, cfg: SampleConfig, tempo: float | None, cadence=None, zone=None):
        self.change, self.zone = float(cfg.change), zone
        self.breath, self.short = float(cfg.breath), float(cfg.breath_short)
        self.fast = float(cfg.pace) * max(0.0, ((tempo or 0.0) - 160.0) / 80.0)
        self.cadence = cadence

    def types(self, logits: torch.Tensor, lines: Lines) -> torch.Tensor:  # (n, 6)
        pos = lines.pos
        here = self.zone[np.minimum(pos, len(self.zone) - 1)] if self.zone is not None and self.change else None
        if here is not None and here.any():  # C loses, S A X gain: a note as likely as before, a rest too
            drop = torch.from_numpy(self.change * here).to(logits.dtype)
            notes = logits[:, :len(NOTE_TYPES)]
            before = notes.logsumexp(-1)
            notes[:, _C] -= drop
            notes += (before - notes.logsumexp(-1))[:, None]
        if self.cadence is not None:
            logits = self.cadence.types(logits, pos)
        if not self.breath:
            return logits
        push = torch.from_numpy(self.breath * (lines.since >= BREATH_FROM)).to(logits.dtype)
        logits[:, _R] += push  # (in place: the logits are the head's own, fresh each step)
        return logits

    def durations(self, dl: torch.Tensor, ty: np.ndarray, lines: Lines) -> torch.Tensor:  # (n, 96), types (n,)
        if self.cadence is not None:
            self.cadence.durations(dl, ty, lines.pos)
        if self.breath:
            rows = (ty == _R) & (lines.since >= BREATH_FROM)
            _at_least(dl, rows, BREATH_STEPS)
            if self.short and rows.any():  # a breath is mostly short: a quarter to under a half beat
                dl[:, BREATH_STEPS - 1:SHORT_STEPS - 1] += self.short * torch.from_numpy(rows).to(dl.dtype)[:, None]
        if self.fast:  # (where, not a boolean index: the same values, without index_put's cost)
            dl[:, :3] = torch.where(torch.from_numpy(ty < len(NOTE_TYPES))[:, None], dl[:, :3] - 2.0 * self.fast, dl[:, :3])
        return dl

    def feed(self, ty: np.ndarray, live: np.ndarray, pos: np.ndarray) -> None:
        """The types just drawn (n,) at `pos`, for the live solos (the cadence's to hear)."""
        if self.cadence is not None:
            self.cadence.feed(ty, live, pos)


class _Cadence:
    """The end of the solo, steered (the model has no input saying where the form ends): on the last
    bar's downbeat a chord tone of the last chord, held half a bar or more, and after it only rests --
    the solo lands instead of stopping mid-line (SampleConfig.cadence)."""

    def __init__(self, n: int, total: int, bar: int):
        self.start, self.half, self.landed = total - bar, max(1, bar // 2), np.zeros(n, dtype=bool)

    def types(self, logits: torch.Tensor, pos: np.ndarray) -> torch.Tensor:
        last = torch.from_numpy(pos >= self.start)
        if not last.any():
            return logits
        only = torch.where(torch.from_numpy(self.landed), _R, TYPES.index("C"))  # (n,): the one type allowed
        keep = torch.arange(logits.shape[-1])[None] == only[:, None]
        return logits.masked_fill(last[:, None] & ~keep, NEG)

    def durations(self, dl: torch.Tensor, ty: np.ndarray, pos: np.ndarray) -> None:
        _at_least(dl, (pos >= self.start) & ~self.landed & (ty < len(NOTE_TYPES)), self.half)

    def feed(self, ty: np.ndarray, live: np.ndarray, pos: np.ndarray) -> None:
        self.landed |= live & (pos >= self.start) & (ty < len(NOTE_TYPES))


MOTIF_NOTES = 6  # a motif: the solo's opening, up to its first breath after two notes or its sixth note


class _Motif:
    """The solo's opening motif restated every `every` grid steps (SampleConfig.motif bars), steered: the
    model does not remember its own first phrase 8 bars later.  The motif is the solo's values from its
    start (any rest before the first note included) to its first breath after two notes or its
    MOTIF_NOTES-th note; at each restatement the same values come at the same places in the bar, the
    notes moved by the distance between the chord roots under the motif's first note then and now (the
    nearer way round, an octave folded back into the register): over the same chord the motif comes back
    as it was, over another chord as a sequence of it.  A note the register, the bar line or the interval
    range would refuse ends the restatement there; the model goes on, hearing what was played.  No
    restatement starts from `stop` on (the cadence's last bar)."""

    def __init__(self, n: int, every: int, stop: int, register: tuple):
        self.every, self.stop, (self.low, self.high) = every, stop, register
        self.values: list[list] = [[] for _ in range(n)]  # per solo: (type, duration, pitch or -1, root)
        self.notes = np.zeros(n, dtype=np.int64)
        self.whole = np.zeros(n, dtype=bool)  # its motif is complete
        self.at = np.full(n, -1, dtype=np.int64)  # the motif value it restates next (-1: none)
        self.shift = np.zeros(n, dtype=np.int64)  # semitones the restatement moves the motif's notes

    def record(self, ty, du, pitch, live, roots) -> None:
        """The values just played: the motif's own until it is complete."""
        for r in np.nonzero(live & ~self.whole)[0]:
            if ty[r] == _R and du[r] + 1 >= BREATH_REST and self.notes[r] >= 2:
                self.whole[r] = True
                continue
            self.values[r].append((int(ty[r]), int(du[r]), int(pitch[r]), int(roots[r])))
            self.notes[r] += int(ty[r] < len(NOTE_TYPES))
            self.whole[r] = self.notes[r] >= MOTIF_NOTES

    def force(self, lines, ty, du, iv, live, types, roots) -> tuple:
        """The step's drawn factors (n,), with the motif's in the solos restating it."""
        pos = lines.pos
        start = live & self.whole & (self.at < 0) & (pos > 0) & (pos % self.every == 0) & (pos < self.stop)
        self.at[start] = 0
        rows = np.nonzero(live & (self.at >= 0))[0]
        if not len(rows):
            return ty, du, iv
        ty, du, iv = ty.copy(), du.copy(), iv.copy()
        for r in rows:
            k = int(self.at[r])
            self.at[r] = -1  # (set again below where the restatement goes on)
            forced = self._value(r, k, lines, types[r], int(roots[r]))
            if forced is not None:
                ty[r], du[r], iv[r] = forced
                self.at[r] = k + 1 if k + 1 < len(self.values[r]) else -1
        return ty, du, iv

    def _value(self, r: int, k: int, lines, types, root: int) -> tuple | None:
        """Solo r's factors restating its motif's k-th value here, or None where it cannot."""
        t, d, p, then = self.values[r][k]
        pos = int(lines.pos[r])
        if d + 1 > lines.bar - pos % lines.bar or pos >= self.stop:
            return None
        if t == _R:
            return _R, d, 0
        if t == _T:
            return (_T, d, 0) if pos % lines.bar == 0 and lines.sounding[r] else None
        if all(v[2] < 0 for v in self.values[r][:k]):  # the motif's first note: how far this restatement moves it
            self.shift[r] = (root - then + 6) % 12 - 6
            q = p + self.shift[r]
            self.shift[r] += 12 if q < self.low else -12 if q > self.high else 0
        q = p + int(self.shift[r])
        prev = int(lines.prev[r])
        if not (self.low <= q <= self.high and lines.has_prev[r] and prev >= 0 and abs(q - prev) <= INT_MAX):
            return None
        return int(types[(q - root) % 12]), d, q - prev + INT_MAX + 1


def _at_least(dl: torch.Tensor, rows: np.ndarray, steps: int) -> None:
    """Durations shorter than `steps` grid steps masked in the `rows` (n,) where a longer one is legal."""
    if rows.any():
        rows = torch.from_numpy(rows) & (dl[:, steps - 1:] > NEG / 2).any(-1)
        dl[:, :steps - 1].masked_fill_(rows[:, None], NEG)


def _conditions(table, roots, last, since, at, register) -> tuple:
    """The model's input at each solo's position (cond (n, COND_DIM)) -- the chart's harmony and time there
    (`table` (steps, COND_DIM), the line's own features zero), and where the line is: its last pitch `last`
    (n,) and the notes since its last breath `since` (n,) -- and which of the 73 intervals land inside the
    register ((n, 73) numpy)."""
    where, landing = _line_tables(register)
    cond = table[at]
    cond[:, HARMONY_DIM:HARMONY_COND_DIM] = where[last + 1, roots[at]]
    cond[:, SINCE_BITS] = _SINCE_ROWS[np.minimum(since, len(_SINCE_ROWS) - 1).astype(np.int64)]
    return torch.from_numpy(cond), landing[last + 1]


_SINCE_ROWS = time_features(120.0, np.arange(32), np.zeros(32), 4.0, 1)[:, SINCE_BITS.start - HARMONY_COND_DIM:
                                                                         SINCE_BITS.stop - HARMONY_COND_DIM]


@lru_cache(maxsize=8)
def _line_tables(register: tuple) -> tuple[np.ndarray, np.ndarray]:
    """pitch_features of every last pitch (-1 none, 0..127) over every root ((129, 12, PITCH_DIM), indexed by
    last + 1), and whether each of the 73 intervals from it lands inside `register` ((129, 73))."""
    last = np.repeat(np.arange(-1, 128), 12)
    where = pitch_features(last, np.tile(np.arange(12), 129)).reshape(129, 12, -1)
    landing = np.arange(-1, 128)[:, None] + np.arange(-INT_MAX, INT_MAX + 1)[None]
    return where, (landing >= register[0]) & (landing <= register[1])


def _ban_durations(dl, ban, shape_ty, want) -> None:
    """The novelty guard on the duration: a duration all of whose intervals are banned is banned
    (unless it is the only one left)."""
    for r in (r for r, b in enumerate(ban) if b):
        for (bt, bd), ivs in ban[r].items():
            full = ivs >= (set(range(1, N_INT)) if want[r] else {0})
            if bt == int(shape_ty[r]) and full and (dl[r] > NEG / 2).sum() > 1:
                dl[r, bd] = NEG


def _ban_intervals(il, ban, shape_ty, du) -> None:
    """The novelty guard on the interval, given the duration drawn (never every interval)."""
    for r in (r for r, b in enumerate(ban) if b):
        ivs = ban[r].get((int(shape_ty[r]), int(du[r])))
        if ivs and (il[r] > NEG / 2).sum() > len(ivs):
            il[r, sorted(ivs)] = NEG
