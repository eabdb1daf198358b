"""Read MIDI / MusicXML / ABC into a Solo (the melody chosen by melody.py); write MIDI.

MIDI goes through symusic (C++, about a millisecond for a 90 KB file); MusicXML
and ABC through music21, which also reads chord symbols.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .errors import JazzError
from .harmony import M21_KINDS, QUALITIES, chords_from_profile, make_chord, parse_chord, profile
from .melody import TrackScore, doubles, harmonic_fit, pick_track, rank_tracks, top_voice  # noqa: F401  (re-exported)
from .melody import segment as _segment
from .music import Chord, Note, Solo, merge_ties

MIDI_EXT = (".mid", ".midi", ".smf", ".kar")
XML_EXT = (".xml", ".mxl", ".musicxml")
ABC_EXT = (".abc",)
LS_EXT = (".ls",)  # Impro-Visor leadsheets (leadsheet.py)
TUNE_EXT = MIDI_EXT + XML_EXT + ABC_EXT + LS_EXT
_KEYS = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]


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


def _read_music21(path: str) -> RawTune:
    import music21 as m21

    try:
        score = m21.converter.parse(path, forceSource=True, storePickle=False)  # never read or write pickles
    except Exception as e:
        raise JazzError(f"cannot parse as MusicXML/ABC ({type(e).__name__})", path) from None
    parts = list(getattr(score, "parts", []))
    if not parts:
        raise JazzError("no parts in this score", path)
    ts_list = list(score.recurse().getElementsByClass(m21.meter.TimeSignature))
    ts = (ts_list[0].numerator, ts_list[0].denominator) if ts_list else (4, 4)
    shift = 0.0  # pickup bar: move everything so that bar lines fall on multiples of the bar
    measures = list(parts[0].getElementsByClass(m21.stream.Measure))
    if measures and measures[0].paddingLeft:
        shift = float(measures[0].paddingLeft)
    tracks = []
    for i, part in enumerate(parts):
        cols: list[list] = [[], [], [], []]
        for n in part.stripTies().recurse().notes:
            if isinstance(n, m21.harmony.ChordSymbol):
                continue
            start, dur = float(n.getOffsetInHierarchy(part)) + shift, float(n.quarterLength)
            for p in n.pitches:
                for col, v in zip(cols, (start, dur, int(p.midi), n.volume.velocity or 90)):
                    col.append(v)
        instr = part.getInstrument(returnDefault=True)
        prog = instr.midiProgram if instr.midiProgram is not None else 0
        tracks.append(Track.from_lists(part.partName or f"part {i}", prog, False, *cols))
    chords = []
    symbols = [cs for cs in score.recurse().getElementsByClass(m21.harmony.ChordSymbol)
               if not isinstance(cs, m21.harmony.NoChord)]
    for cs in symbols:
        start = float(cs.getOffsetInHierarchy(score)) + shift
        q = _quality_from_text(cs.chordKindStr) or M21_KINDS.get(cs.chordKind)
        q = _with_alterations(q, cs)
        root = cs.root().pitchClass
        bass = cs.bass().pitchClass if cs.bass() is not None else None
        names = (cs.root().name.replace("-", "b"), cs.bass().name.replace("-", "b") if cs.bass() is not None else "")
        if q is None:  # unusual kind: pick the closest known quality by pitch classes
            pcs = {p.pitchClass for p in cs.pitches}
            q = max(QUALITIES, key=lambda k: len(pcs & {(root + i) % 12 for i in QUALITIES[k][0]}) * 2
                    - len({(root + i) % 12 for i in QUALITIES[k][0]} ^ pcs))
        chords.append(make_chord(root, q, start, 1.0, bass, names))
    tempo = 120.0
    marks = list(score.recurse().getElementsByClass(m21.tempo.MetronomeMark))
    bpm = marks[0].getQuarterBPM() if marks else None
    if bpm and np.isfinite(bpm) and bpm > 0:
        tempo = float(bpm)
    keys = list(score.recurse().getElementsByClass(m21.key.KeySignature))
    key = None
    if keys:
        k = keys[0]
        key = f"{k.tonic.name.replace('-', 'b')} {k.mode}" if isinstance(k, m21.key.Key) else f"{_KEYS[k.sharps + 7]} major"
    return RawTune(tracks, _spans(chords, score.highestTime + shift), ts, min(400.0, max(10.0, tempo)), key, path)


def _with_alterations(quality: str | None, cs) -> str | None:
    """The quality with the chord symbol's <degree> alterations kept ("7" + b9 -> "7b9")."""
    if quality is None:
        return None
    mods = []
    try:
        steps = cs.getChordStepModifications()
    except Exception:
        steps = []
    for d in steps:
        alter = int(round(d.interval.semitones)) if d.interval is not None else 0
        if d.modType in ("add", "alter") and d.degree in (5, 9, 11, 13):
            mods.append({-1: "b", 1: "#"}.get(alter, "") + str(d.degree))
    if not mods:
        return quality
    return _quality_from_text(quality + "".join(mods)) or quality


def _quality_from_text(text: str | None) -> str | None:
    """The quality a chord symbol's written suffix ("m7b5", "7b9", "Δ") names, if we know it."""
    if not text or not text.strip():
        return None
    try:
        return parse_chord("C" + text.strip()).quality
    except JazzError:
        return None


def _spans(chords: list[Chord], end: float) -> list[Chord]:
    """Give zero-length chord symbols their extent: until the next symbol."""
    chords = sorted(chords, key=lambda c: c.start)
    out = []
    for i, c in enumerate(chords):
        stop = chords[i + 1].start if i + 1 < len(chords) else max(end, c.start + 1)
        if stop > c.start:
            out.append(c.at(c.start, stop - c.start))
    return out


MAX_BEATS = 40_000  # the longest tune read: about five and a half hours at 120 quarter notes a minute


def read_raw(path: str) -> RawTune:
    """Parse any supported file into tracks (no melody choice yet); JazzError for anything
    unreadable or absurd (see check_raw)."""
    if not os.path.isfile(path):
        raise JazzError("no such file", path)
    if os.path.getsize(path) == 0:
        raise JazzError("the file is empty", path)
    if not os.access(path, os.R_OK):
        raise JazzError("cannot read the file (permission denied)", path)
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
        from .leadsheet import read_leadsheet

        return read_leadsheet(path)
    if ext in XML_EXT + ABC_EXT:
        return _read_music21(path)
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"MThd" or ext in MIDI_EXT:
        return _read_midi(path)
    raise JazzError("unknown file type (expected .mid, .midi, .xml, .mxl, .musicxml, .abc or .ls)", path)


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
    return Solo(melody, chords, bpb, raw.time_signature, raw.tempo, raw.key, path,
                f"{idx}: {raw.tracks[idx].name}", ranking, origin, title=raw.title)


PROGRAMS = {"melody": 66, "comp": 0, "bass": 32}  # tenor sax, piano, acoustic bass (General MIDI)


def midi_bytes(solo: Solo, accompany: bool = True, programs: dict | None = None, tpq: int = 480) -> bytes:
    """A type-1 MIDI file of the solo: the melody, and (accompany=True) comping and a
    walking bass from the chords; tempo and time signature from the Solo.  Same Solo,
    same bytes."""
    import symusic

    from .arrangement import accompaniment

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
    from .fileio import write_atomic

    return write_atomic(path, midi_bytes(solo, accompany, programs))
