"""Read MIDI / MusicXML / ABC into a Solo (the melody chosen by melody.py); write MIDI.

MIDI goes through symusic (C++, about a millisecond for a 90 KB file); MusicXML
and ABC through music21 (scoreio.py), which also reads chord symbols.
"""
from __future__ import annotations

import os

import numpy as np

from jazz_lstm.core.arrangement import accompaniment
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import check_input, write_atomic
from jazz_lstm.core.harmony import chords_from_profile, parse_chord, profile
from jazz_lstm.core.music import Chord, Provenance, Solo, merge_ties
from jazz_lstm.io.melody import (
    doubles,
    pick_track,
    rank_tracks,
)
from jazz_lstm.io.melody import segment as _segment
from jazz_lstm.io.melody import top_voice
from jazz_lstm.io.rawtune import KEYS as _KEYS
from jazz_lstm.io.rawtune import MAX_BEATS, RawTune, Track
from jazz_lstm.io.rawtune import spans as _spans
from jazz_lstm.io.wjazzd import split_member

MIDI_EXT = (".mid", ".midi", ".smf", ".kar")
XML_EXT = (".xml", ".mxl", ".musicxml")
ABC_EXT = (".abc",)
LS_EXT = (".ls",)  # Impro-Visor leadsheets (leadsheet.py)
CSV_EXT = (".csv",)  # the Weimar Jazz Database's CSV export: melody/NAME.csv beside beats/NAME.csv (wjazzd.py)
TUNE_EXT = MIDI_EXT + XML_EXT + ABC_EXT + LS_EXT + CSV_EXT
def _read_midi(path: str) -> RawTune:
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


def read_raw(path: str) -> RawTune:
    """Parse any supported file into tracks (no melody choice yet); JazzError for anything
    unreadable or absurd (see check_raw).  `wjazzd.db#MELID` names one solo of a WJazzD database."""
    if split_member(path)[1] is not None:
        from jazz_lstm.io.wjazzd import read_wjazzd

        return check_raw(read_wjazzd(path))
    if check_input(path) == 0:
        raise JazzError("the file is empty", path)
    try:
        return check_raw(_read_any(path))
    except (OverflowError, ZeroDivisionError, ValueError) as e:
        if isinstance(e, JazzError):
            raise
        raise JazzError(f"the file holds impossible values ({type(e).__name__})", path) from None


def check_raw(raw: RawTune) -> RawTune:
    """Reject what no tune holds: a time signature outside 1..32 over 1, 2, 4, 8, 16 or 32 (or
    under half a beat a bar), a tempo that is not a number, notes or chords past MAX_BEATS."""
    num, den = raw.time_signature
    if not (1 <= num <= 32 and den in (1, 2, 4, 8, 16, 32) and num * 4.0 / den >= 0.5):
        raise JazzError(f"unsupported time signature {num}/{den}", raw.source)
    if not np.isfinite(raw.tempo):
        raise JazzError("the tempo is not a number", raw.source)
    for t in raw.tracks:
        if len(t) and not (np.isfinite(t.end).all() and float(t.end.max()) <= MAX_BEATS):
            raise JazzError(f"notes beyond {MAX_BEATS} beats: too long for a tune", raw.source)
    if raw.chords and raw.chords[-1].end > MAX_BEATS + 64:
        raise JazzError(f"chords beyond {MAX_BEATS} beats: too long for a tune", raw.source)
    return raw


def _read_any(path: str) -> RawTune:
    ext = os.path.splitext(path)[1].lower()
    if ext in LS_EXT:
        from jazz_lstm.io.leadsheet import read_leadsheet

        return read_leadsheet(path)
    if ext in XML_EXT + ABC_EXT:
        from jazz_lstm.io.musicxml import read_score

        return read_score(path)
    if ext in CSV_EXT:
        from jazz_lstm.io.wjazzd import is_wjazzd_melody, read_wjazzd

        if not is_wjazzd_melody(path):
            raise JazzError("a .csv tune must be a WJazzD melody/NAME.csv with its beats/NAME.csv beside it", path)
        return read_wjazzd(path)
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"MThd" or ext in MIDI_EXT:
        return _read_midi(path)
    raise JazzError("unknown file type (expected .mid, .midi, .xml, .mxl, .musicxml, .abc, .ls or a WJazzD .csv)", path)


def read_tune(path: str, melody_track: str | int | None = None, chords: list[Chord] | None = None) -> Solo:
    """Read a tune: the melody (best-ranked track, or `melody_track`) and its chords.

    Chords come from `chords` when given, else the file's chord symbols, else are
    inferred per half bar from the other pitched tracks, else from the melody itself.
    """
    raw = read_raw(path)
    num, den = raw.time_signature
    bpb = num * 4.0 / den
    ranking = rank_tracks(raw, bpb)
    idx = pick_track(raw, ranking, melody_track)
    melody = top_voice(raw.tracks[idx].notes)
    origin = "chart"
    if chords is None:
        length = max(float(t.end.max()) for t in raw.tracks if len(t))
        seg = _segment(bpb)
        if raw.chords:
            chords, origin = raw.chords, "symbols"
        else:
            acc = [t for j, t in enumerate(raw.tracks)
                   if j != idx and not t.is_drum and len(t) and not doubles(t, raw.tracks[idx])]
            cat = [np.concatenate([getattr(t, k) for t in acc]) if acc else np.zeros(0) for k in ("start", "end", "pitch")]
            chords, origin = chords_from_profile(*profile(*cat, length, seg), length, seg), "inferred"
            if not chords:
                mel = raw.tracks[idx]
                chords, origin = chords_from_profile(*profile(mel.start, mel.end, mel.pitch, length, bpb), length, bpb), "melody"
    if not chords:
        raise JazzError("no chords: the file has no chord symbols and nothing to infer them from", path)
    return Solo(melody, chords, beats_per_bar=bpb, time_signature=raw.time_signature, tempo=raw.tempo, key=raw.key,
                title=raw.title, provenance=Provenance(path, f"{idx}: {raw.tracks[idx].name}", tuple(ranking), origin))


PROGRAMS = {"melody": 66, "comp": 0, "bass": 32}  # tenor sax, piano, acoustic bass (General MIDI)


def midi_bytes(solo: Solo, accompany: bool = True, programs: dict | None = None, tpq: int = 480) -> bytes:
    """A type-1 MIDI file of the solo: the melody, and (accompany=True) comping and a
    walking bass from the chords; tempo and time signature from the Solo.  Same Solo,
    same bytes."""
    import symusic

    programs = {**PROGRAMS, **(programs or {})}
    score = symusic.Score(tpq)
    score.tempos.append(symusic.Tempo(0, float(solo.tempo)))
    score.time_signatures.append(symusic.TimeSignature(0, int(solo.time_signature[0]), int(solo.time_signature[1])))
    parts = [("Solo", programs["melody"], [(n.pitch, n.start, n.duration, n.velocity) for n in merge_ties(solo.notes)])]
    if accompany and solo.chords:
        comp, bass = accompaniment(solo.chords, solo.beats_per_bar)
        parts += [("Comping", programs["comp"], comp), ("Bass", programs["bass"], bass)]
    for c in solo.chords:  # the changes travel with the file, as markers that read_tune reads back
        score.markers.append(symusic.TextMeta(int(round(c.start * tpq)), c.symbol))
    for name, prog, notes in parts:
        track = symusic.Track(name, int(prog), False)
        for p, st, d, v in notes:
            track.notes.append(symusic.Note(int(round(st * tpq)), max(1, int(round(d * tpq))), int(p), int(v)))
        score.tracks.append(track)
    return bytes(score.dumps_midi())


def write_midi(solo: Solo, path: str, accompany: bool = True, programs: dict | None = None) -> str:
    """Write `midi_bytes(solo)` to `path` atomically."""
    return write_atomic(path, midi_bytes(solo, accompany, programs))
