"""MIDI in and out: a MIDI file's tracks, tempo, metre and marker chords (through symusic, C++,
about a millisecond for a 90 KB file); a Solo (with comping and bass) as MIDI bytes or a file.
Which format a path is, and the melody chosen from the tracks: io.formats."""
from __future__ import annotations

import numpy as np

from jazz_lstm.core.arrangement import accompaniment
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.feel import Feel, drum_part, perform, swing_part
from jazz_lstm.core.fileio import write_atomic
from jazz_lstm.core.harmony import parse_chord
from jazz_lstm.core.music import Chord, Solo, merge_ties
from jazz_lstm.io.rawtune import KEYS as _KEYS
from jazz_lstm.io.rawtune import RawTune, Track
from jazz_lstm.io.rawtune import spans as _spans

MIDI_EXT = (".mid", ".midi", ".smf", ".kar")


def read_midi(path: str) -> RawTune:
    import symusic

    try:
        score = symusic.Score(path)
    except Exception as e:  # symusic raises RuntimeError on bad bytes
        raise JazzError(f"not a readable MIDI file ({str(e).split(':')[-2].strip() if ':' in str(e) else e})", path) from None
    tpq = score.ticks_per_quarter
    if tpq < 1:
        raise JazzError(f"bad MIDI header: {tpq} ticks per quarter note", path)
    tracks = []
    for t in score.tracks:
        a = t.notes.numpy()
        tracks.append(Track.from_lists(t.name or f"track {len(tracks)}", t.program, t.is_drum, a["time"] / tpq,
                                       a["duration"] / tpq, a["pitch"].astype(np.int64), a["velocity"].astype(np.int64)))
    ts = (score.time_signatures[0].numerator, score.time_signatures[0].denominator) if len(score.time_signatures) else (4, 4)
    tempo = float(score.tempos[0].qpm) if len(score.tempos) else 120.0
    chords = _marker_chords(score, tpq)
    key = None
    if len(score.key_signatures):
        k = score.key_signatures[0]
        if -7 <= k.key <= 7:
            key = f"{_KEYS[k.key + 7]} {'minor' if k.tonality else 'major'}"
    end = max((float(t.end.max()) for t in tracks if len(t)), default=0.0)
    return RawTune(tracks, _spans(chords, end), ts, min(400.0, max(10.0, tempo)), key, path)


def _marker_chords(score, tpq: int) -> list[Chord]:
    """Chord symbols stored as MIDI markers (as write_midi stores them), if every marker is
    one.  Section letters ("A", "B") also parse as chords: plain triads alone only count
    when there are at least eight markers."""
    chords = []
    for m in score.markers:
        if m.time < 0:  # a tick past 2^31 reads back negative: not a marker we wrote
            return []
        try:
            chords.append(parse_chord(m.text, m.time / tpq, 1.0))
        except JazzError:
            return []
    if len(chords) < 8 and all(c.quality == "" for c in chords):
        return []
    return chords


PROGRAMS = {"melody": 66, "comp": 0, "bass": 32}  # tenor sax, piano, acoustic bass (General MIDI)


def midi_bytes(solo: Solo, accompany: bool = True, programs: dict | None = None, tpq: int = 480,
               feel: Feel | None = None) -> bytes:
    """A type-1 MIDI file of the solo: the melody, and (accompany=True) comping, a walking bass
    from the chords and (feel.drums) a drum part; tempo and time signature from the Solo.  feel
    (core.feel): swing, accents, the instrument; None plays the notes exactly as written.  Same
    Solo and feel, same bytes."""
    import symusic  # a compiled extension: loaded when a MIDI file is made

    feel = feel or Feel.straight()
    programs = {**PROGRAMS, "melody": feel.program, **(programs or {})}
    score = symusic.Score(tpq)
    score.tempos.append(symusic.Tempo(0, float(solo.tempo)))
    score.time_signatures.append(symusic.TimeSignature(0, int(solo.time_signature[0]), int(solo.time_signature[1])))
    parts = [("Solo", programs["melody"], perform(merge_ties(solo.notes), solo.tempo, feel), False)]
    if accompany and solo.chords:
        comp, bass = accompaniment(solo.chords, solo.beats_per_bar)
        parts += [("Comping", programs["comp"], swing_part(comp, solo.tempo, feel), False),
                  ("Bass", programs["bass"], swing_part(bass, solo.tempo, feel), False)]
        drums = drum_part(solo.n_bars, solo.beats_per_bar, solo.tempo, feel)
        if drums:
            parts.append(("Drums", 0, drums, True))
    for c in solo.chords:  # the changes travel with the file, as markers that read_tune reads back
        score.markers.append(symusic.TextMeta(int(round(c.start * tpq)), c.symbol))
    for name, prog, notes, is_drum in parts:
        track = symusic.Track(name, int(prog), is_drum)
        if notes:  # one array call, not a Note object a note (the same ticks: both round half to even)
            p, st, d, v = (np.asarray(c, dtype=np.float64) for c in zip(*notes))
            track.notes = symusic.Note.from_numpy(np.round(st * tpq).astype(np.int32),
                                                  np.maximum(1, np.round(d * tpq)).astype(np.int32),
                                                  p.astype(np.int8), v.astype(np.int8))
        score.tracks.append(track)
    return bytes(score.dumps_midi())


def write_midi(solo: Solo, path: str, accompany: bool = True, programs: dict | None = None,
               feel: Feel | None = None) -> str:
    """Write `midi_bytes(solo)` to `path` atomically."""
    return write_atomic(path, midi_bytes(solo, accompany, programs, feel=feel))
