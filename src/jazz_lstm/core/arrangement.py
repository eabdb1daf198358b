"""The arrangement under a solo: a comping voicing and a walking bass from the chords
(what MIDI, audio and the piano roll play beside the melody).  Times in beats."""
from __future__ import annotations

from functools import lru_cache

from jazz_lstm.core.harmony import bass_note
from jazz_lstm.core.music import Chord


def voicing(chord: Chord, low: int = 52) -> list[int]:
    """A compact comping voicing: third, seventh (or sixth/fifth), fifth and root,
    each placed in the octave above `low`."""
    ivs = sorted({(pc - chord.root) % 12 for pc in chord.pcs}, key=lambda i: (i not in (3, 4), i not in (10, 11, 9), i))
    return sorted(low + ((chord.root + i - low) % 12) for i in ivs[:4])


def accompaniment(chords: list[Chord], beats_per_bar: float = 4.0):
    """Comping and a walking bass under the changes, as (comp, bass) lists of
    (pitch, start, duration, velocity) with times in beats.

    Comping: each chord struck on its first beat and again 1.5 beats later (a
    Charleston figure) when it lasts two beats or more.  Bass: one note a beat,
    the root first (a slash chord's bass note: F/G starts on G), then chord tones, and a semitone
    approach into the next chord's bass note.  (Made once for a batch of solos over the same changes.)
    """
    comp, bass = _accompaniment(tuple(chords), float(beats_per_bar))
    return list(comp), list(bass)


@lru_cache(maxsize=16)
def _accompaniment(chords: tuple, beats_per_bar: float) -> tuple[tuple, tuple]:
    comp, bass = [], []
    for k, c in enumerate(chords):
        v = voicing(c)
        if c.duration >= 2:
            comp += [(p, c.start, 1.25, 62) for p in v] + [(p, c.start + 1.5, 0.5, 56) for p in v]
        else:
            comp += [(p, c.start, c.duration * 0.9, 60) for p in v]
        root = 36 + (bass_note(c) - 36) % 12  # a slash chord's bass note (F/G: G), else the root
        tones = sorted(36 + (pc - 36) % 12 for pc in c.pcs)
        beats = max(1, int(round(c.duration)))
        nxt = bass_note(chords[k + 1]) if k + 1 < len(chords) else bass_note(c)
        for b in range(beats):
            if b == 0:
                p = root
            elif b == beats - 1 and beats > 1:
                target = 36 + (nxt - 36) % 12
                p = target - 1 if target - 1 != root else target + 1
            else:
                p = tones[(b * 2) % len(tones)]
            dur = min(1.0, c.duration - b)
            if dur > 0:
                bass.append((p, c.start + b, dur * 0.95, 80 if b == 0 else 70))
    return tuple(comp), tuple(bass)
