"""What a reader returns before the melody is chosen: tracks as arrays, chord symbols,
metre, tempo and key (midi_io, scoreio and leadsheet all produce a RawTune)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazz_lstm.core.music import Chord, Note

MAX_BEATS = 40_000  # the longest tune read: about five and a half hours at 120 quarter notes a minute
KEYS = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]


@dataclass
class Track:
    """One instrument's notes as parallel arrays: start and dur in beats, MIDI pitch, velocity."""

    name: str
    program: int
    is_drum: bool
    start: np.ndarray
    dur: np.ndarray
    pitch: np.ndarray
    vel: np.ndarray

    @classmethod
    def from_lists(cls, name, program, is_drum, start, dur, pitch, vel) -> Track:
        start, dur = np.asarray(start, float), np.asarray(dur, float)
        pitch, vel = np.asarray(pitch, np.int64), np.clip(np.asarray(vel, np.int64), 1, 127)
        ok = (dur > 0) & (pitch >= 0) & (pitch <= 127) & (start >= 0)
        return cls(name, int(program), bool(is_drum), start[ok], dur[ok], pitch[ok], vel[ok])

    def __len__(self) -> int:
        return int(self.start.size)

    @property
    def end(self) -> np.ndarray:
        return self.start + self.dur

    @property
    def notes(self) -> list[Note]:
        """The track as Note objects (built on demand: tracks can hold thousands)."""
        return [Note(int(p), float(s), float(d), int(v)) for s, d, p, v in zip(self.start, self.dur, self.pitch, self.vel)]


@dataclass
class RawTune:
    tracks: list
    chords: list  # from chord symbols in the file, may be []
    time_signature: tuple
    tempo: float
    key: str | None
    source: str
    title: str = ""
    sections: tuple = ()  # beats where a section of the form starts, where the file says (WJazzD's form labels)


def spans(chords: list[Chord], end: float) -> list[Chord]:
    """Give zero-length chord symbols their extent: until the next symbol."""
    chords = sorted(chords, key=lambda c: c.start)
    out = []
    for i, c in enumerate(chords):
        stop = chords[i + 1].start if i + 1 < len(chords) else max(end, c.start + 1)
        if stop > c.start:
            out.append(c.at(c.start, stop - c.start))
    return out
