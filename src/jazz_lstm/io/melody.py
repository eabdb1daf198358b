"""Which track is the melody: rank the pitched tracks by monophony, size, register
and fit to the harmony of the others; reduce a polyphonic lead to its top voice."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.harmony import chords_from_profile, profile, tone_type
from jazz_lstm.core.music import Chord, Note


@dataclass
class TrackScore:
    """Why a track was (not) taken as the melody; each part in 0..1, score = weighted sum."""

    index: int
    name: str
    n_notes: int
    monophony: float  # share of notes that overlap no other note of the track
    count: float  # log note count relative to the busiest track
    register: float  # closeness of the mean pitch to a lead's register (about G4)
    fit: float  # share of note time on chord or scale tones of the other tracks' harmony
    score: float


def top_voice(notes: list[Note]) -> list[Note]:
    """Reduce a polyphonic line to its highest voice: one note per onset, none overlapping."""
    notes = sorted(notes, key=lambda n: (round(n.start, 3), -n.pitch))
    out: list[Note] = []
    for n in notes:
        if out and round(n.start, 3) == round(out[-1].start, 3):
            continue  # same onset, lower note
        if out and out[-1].end > n.start:
            prev = out[-1]
            if n.start - prev.start <= 1e-6:
                continue
            out[-1] = Note(prev.pitch, prev.start, n.start - prev.start, prev.velocity)
        out.append(n)
    return out


def doubles(track, melody, share: float = 0.8) -> bool:
    """True when `track` mostly plays the melody's notes (same onsets, same pitch classes: a
    unison or octave doubling), so it tells nothing of the harmony."""
    if not len(track) or not len(melody):
        return False
    mel = set(zip(np.round(melody.start * 12).astype(np.int64).tolist(), (melody.pitch % 12).tolist()))
    hits = sum((int(a), int(b)) in mel for a, b in zip(np.round(track.start * 12), track.pitch % 12))
    return hits / len(track) >= share


def _monophony(t) -> float:
    if len(t) < 2:
        return 1.0
    order = np.argsort(t.start, kind="stable")
    starts, ends = t.start[order], t.end[order]
    run_max = np.maximum.accumulate(ends)
    overlap_prev = np.r_[False, starts[1:] < run_max[:-1] - 0.125]
    overlap_next = np.r_[overlap_prev[1:], False]
    return float(1.0 - np.mean(overlap_prev | overlap_next))


def segment(bpb: float) -> float:
    """Chord inference resolution: half a bar in 4/4 and longer bars, else a bar."""
    return bpb / 2 if bpb >= 4 else bpb


def rank_tracks(raw, beats_per_bar: float) -> list[TrackScore]:
    """Score every pitched track as the melody: monophony, size, register, harmonic fit.

    fit is judged against the file's chord symbols, or against chords inferred
    from all the *other* pitched tracks.
    """
    cands = [(i, t) for i, t in enumerate(raw.tracks) if not t.is_drum and len(t) >= 4]
    if not cands:
        return []
    length = max(float(t.end.max()) for _, t in cands)
    seg = segment(beats_per_bar)
    profs = {i: profile(t.start, t.end, t.pitch, length, seg) for i, t in cands}
    total_w = sum(w for w, _ in profs.values())
    max_n = max(len(t) for _, t in cands)
    ranked = []
    for i, t in cands:
        if raw.chords:
            chords = raw.chords
        else:
            others = [b for j, (_, b) in profs.items() if j != i]
            bass = np.minimum.reduce(others) if others else np.full_like(profs[i][1], 200)
            chords = chords_from_profile(total_w - profs[i][0], bass, length, seg)
        mono = _monophony(t)
        count = float(np.sqrt(len(t) / max_n))
        register = float(np.exp(-(((float(t.pitch.mean()) - 69.0) / 10.0) ** 2)))
        fit = harmonic_fit(t.start, t.dur, t.pitch, chords)
        score = 0.35 * mono + 0.25 * count + 0.2 * register + 0.2 * fit
        ranked.append(TrackScore(i, t.name, len(t), mono, count, register, fit, float(score)))
    return sorted(ranked, key=lambda r: -r.score)


def harmonic_fit(start, dur, pitch, chords: list[Chord]) -> float:
    """Share of note time (beats) on chord or scale tones of the chord sounding at each onset."""
    if not chords or len(start) == 0:
        return 0.5
    good = np.array([[tone_type(pc, c) in "CS" for pc in range(12)] for c in chords])
    idx = np.clip(np.searchsorted([c.start for c in chords], np.asarray(start) + 1e-9, side="right") - 1, 0, None)
    ok = good[idx, np.asarray(pitch) % 12]
    return float((np.asarray(dur) * ok).sum() / max(1e-9, float(np.sum(dur))))


def pick_track(raw, ranking: list[TrackScore], melody_track: str | int | None) -> int:
    """Index of the melody track: the override (number or name) or the best-ranked."""
    if melody_track is None or melody_track == "":
        if not ranking:
            pitched = [t for t in raw.tracks if not t.is_drum and len(t)]
            why = ("drums only" if any(len(t) for t in raw.tracks) and not pitched else
                   f"{max(len(t) for t in pitched)} notes at most on a track: a melody needs 4" if pitched else "no notes")
            raise JazzError(f"no melody found ({why})", raw.source)
        return ranking[0].index
    text = str(melody_track)
    if text.lstrip("-").isdigit():
        idx = int(text)
        if not 0 <= idx < len(raw.tracks):
            raise JazzError(f"melody track {idx} out of range (this file has tracks 0..{len(raw.tracks) - 1})", raw.source)
    else:
        names = [t.name.lower() for t in raw.tracks]
        if text.lower() not in names:
            raise JazzError(f"no track named {text!r} (tracks: {', '.join(t.name for t in raw.tracks)})", raw.source)
        idx = names.index(text.lower())
    if not len(raw.tracks[idx]) or raw.tracks[idx].is_drum:
        raise JazzError(f"track {idx} ({raw.tracks[idx].name}) has no pitched notes", raw.source)
    return idx
