"""The literature's yardstick: nats per *event* and next-event accuracy.

An event is a note (its exact MIDI pitch and its duration on the grid, ties merged) or a rest
(its duration, rests split at bar lines merged), in playing order.  A grammar value does not fix
the pitch, so "nats per value" cannot be set beside MINGUS or BebopNet; nats per event can:

* the chord model's probability of an event is the product of its values' probabilities (the
  note's value and the ties that continue it, or the rest's values): its interval factor is the
  exact interval from the last pitch, and the tone type follows from pitch and chord, so exactly
  one value path yields the event.  A tune's first note has no interval: its pitch is taken as
  uniform over the pitches of its tone type inside the model's register (said as a rule, since
  the model does not choose it).
* the unigram and bigram baselines are over events, fitted on the training events and smoothed as
  the value baselines are (Witten-Bell, backed off to uniform over every event the grid allows:
  128 pitches or a rest, times 96 durations).
* next-pitch and next-duration accuracy: teacher-forced, top-1, at each event's first value: the
  pitch the model finds most likely (its probability summed over tone types and durations) and
  the most likely duration class (summed over types).

    scores = event_scores(ck, heldout_solos, training_solos)
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

from jazz_lstm.core.harmony import tone_type
from jazz_lstm.core.music import merge_ties, to_steps
from jazz_lstm.data.corpus import EncodedTune
from jazz_lstm.grammar.codec import parse_token

N_EVENTS = (128 + 1) * 96  # pitches or a rest, times durations of 1..96 grid steps


def tune_events(values: list[str], onsets: list[int], solo=None, prev_pitches=None) -> list[tuple]:
    """(event, first value index, value indices) in playing order.  event: ("N", pitch, steps)
    or ("R", steps).  Pitches come from `solo`'s notes, else from an EncodedTune's
    `prev_pitches` (the pitch sounding before each value: a note's own is the next value's)."""
    if solo is not None:
        pitch_at = {to_steps(n.start): n.pitch for n in merge_ties(solo.notes)}
        pitch = lambda i, on: pitch_at.get(on, -1)  # noqa: E731
    else:
        pitch = lambda i, on: prev_pitches[i + 1] if i + 1 < len(prev_pitches) else -1  # noqa: E731
    out: list[list] = []
    for i, (v, on) in enumerate(zip(values, onsets)):
        t = parse_token(v)
        steps, ttype = t.steps, t.type
        if ttype in "CSAX":
            out.append([("N", pitch(i, on), steps), i, [i]])
        elif ttype == "T" and out and out[-1][0][0] == "N":
            e = out[-1]
            e[0] = ("N", e[0][1], e[0][2] + steps)
            e[2].append(i)
        elif ttype == "R" and out and out[-1][0][0] == "R" and out[-1][2][-1] == i - 1:
            e = out[-1]
            e[0] = ("R", e[0][1] + steps)
            e[2].append(i)
        else:
            out.append([("R", steps), i, [i]])
    return [tuple(e) for e in out]


class EventNgram:
    """Witten-Bell interpolated unigram or bigram over events, backed off to uniform over N_EVENTS."""

    def __init__(self, streams: list[list[tuple]], order: int):
        self.order = order
        self.uni = Counter(e for s in streams for e in s)
        self.n = sum(self.uni.values())
        self.big: dict = defaultdict(Counter)
        for s in streams:
            for a, b in zip(s, s[1:]):
                self.big[a][b] += 1

    def p_uni(self, e) -> float:
        lam = self.n / (self.n + len(self.uni)) if self.n else 0.0
        return lam * self.uni[e] / max(1, self.n) + (1 - lam) / N_EVENTS

    def prob(self, e, prev) -> float:
        if self.order == 1 or prev is None or prev not in self.big:
            return self.p_uni(e)
        c = self.big[prev]
        total, types = sum(c.values()), len(c)
        lam = total / (total + types)
        return lam * c[e] / total + (1 - lam) * self.p_uni(e)

    def nll(self, stream: list[tuple]) -> float:
        return -sum(math.log(self.prob(e, p)) for e, p in zip(stream, [None] + stream[:-1]))


def event_scores(ck, tunes, training) -> dict:
    """Nats per event of the model and the event baselines on `tunes`, and next-pitch and
    next-duration accuracy; `training`: the solos (or EncodedTunes) the baselines are fitted on.  Only for the
    factored model (a recipe value does not fix an interval): {} otherwise."""
    if not ck.spec.factored:
        return {}

    streams = []
    for s in training:  # Solos, or EncodedTunes (from the corpus cache: no encoding again)
        e = s if isinstance(s, EncodedTune) else EncodedTune.from_solo(s)
        streams.append([ev for ev, _, _ in tune_events(e.values, e.onsets, None if s is e else s, e.prev_pitches)])
    base = {"unigram": EventNgram(streams, 1), "bigram": EventNgram(streams, 2)}
    total = {"model": 0.0, "unigram": 0.0, "bigram": 0.0}
    n_events = covered = pitch_hits = pitch_n = dur_hits = dur_n = 0
    scored = _scored(tunes)
    passes = ck.spec.event_passes(ck, [enc for _, enc, _ in scored], [[f for _, f, _ in ev] for _, _, ev in scored])
    for (solo, enc, events), (nll, ok, best_iv, best_dur, facts) in zip(scored, passes):
        n_events += len(events)
        kept = []
        for k, (ev, first, idx) in enumerate(events):
            if not all(ok[i] for i in idx):
                continue
            kept.append(k)
            extra = _first_pitch_term(ck, enc, solo, first, ev) if facts[first][2] == 0 and ev[0] == "N" else 0.0
            total["model"] += float(sum(nll[i] for i in idx)) + extra
            ty, du, iv = facts[first]
            dur_n += 1
            dur_hits += int(best_dur[k] == du)
            if ev[0] == "N" and iv > 0:
                pitch_n += 1
                pitch_hits += int(best_iv[k] == iv)
        stream = [ev for ev, _, _ in events]
        for name, m in base.items():
            total[name] += sum(-math.log(m.prob(stream[k], stream[k - 1] if k else None)) for k in kept)
        covered += len(kept)
    if not covered:
        return {}
    return {"nats_per_event": {k: round(v / covered, 4) for k, v in total.items()}, "events": n_events,
            "event_coverage": round(covered / n_events, 4), "next_pitch_accuracy": round(pitch_hits / max(1, pitch_n), 4),
            "next_duration_accuracy": round(dur_hits / max(1, dur_n), 4),
            "definition": "nats per note-or-rest event (exact MIDI pitch and grid duration), teacher-forced; "
                          "accuracy: top-1 at each event's first value"}


def _scored(tunes) -> list[tuple]:
    """(solo, its encoding, its events) of the tunes with two values or more."""
    out = []
    for solo in tunes:
        enc = EncodedTune.from_solo(solo)
        if len(enc.values) >= 2:
            out.append((solo, enc, tune_events(enc.values, enc.onsets, solo)))
    return out


def _first_pitch_term(ck, enc, solo, first: int, ev) -> float:
    """-log P(pitch | type) for a note with no previous pitch: uniform over the pitches of its
    tone type over the chord inside the model's register."""
    chord = solo.chord_at(enc.onsets[first] / 12.0)
    if chord is None:
        return math.log(ck.chart.high - ck.chart.low + 1)
    want = tone_type(ev[1], chord)
    k = sum(1 for p in range(ck.chart.low, ck.chart.high + 1) if tone_type(p, chord) == want)
    return math.log(max(1, k))

