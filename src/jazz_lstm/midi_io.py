"""Read MIDI / MusicXML / ABC into a Solo; rank tracks to find the melody.

MIDI goes through symusic (C++, about a millisecond for a 90 KB file); MusicXML
and ABC through music21, which also reads chord symbols.  Writers live in
render.py.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .errors import JazzError
from .harmony import M21_KINDS, QUALITIES, chords_from_profile, make_chord, profile, tone_type
from .music import Chord, Note, Solo

MIDI_EXT = (".mid", ".midi", ".smf", ".kar")
XML_EXT = (".xml", ".mxl", ".musicxml")
ABC_EXT = (".abc",)
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
    def from_lists(cls, name, program, is_drum, start, dur, pitch, vel) -> "Track":
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


@dataclass
class RawTune:
    tracks: list
    chords: list  # from chord symbols in the file, may be []
    time_signature: tuple
    tempo: float
    key: str | None
    source: str


def _read_midi(path: str) -> RawTune:
    import symusic

    try:
        score = symusic.Score(path)
    except Exception as e:  # symusic raises RuntimeError on bad bytes
        raise JazzError(f"not a readable MIDI file ({str(e).split(':')[-2].strip() if ':' in str(e) else e})", path) from None
    tpq = score.ticks_per_quarter
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
    from .harmony import parse_chord

    chords = []
    for m in score.markers:
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
        score = m21.converter.parse(path)
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
    if marks and marks[0].getQuarterBPM():
        tempo = float(marks[0].getQuarterBPM())
    keys = list(score.recurse().getElementsByClass(m21.key.KeySignature))
    key = None
    if keys:
        k = keys[0]
        key = f"{k.tonic.name.replace('-', 'b')} {k.mode}" if isinstance(k, m21.key.Key) else f"{_KEYS[k.sharps + 7]} major"
    return RawTune(tracks, _spans(chords, score.highestTime + shift), ts, min(400.0, max(10.0, tempo)), key, path)


def _quality_from_text(text: str | None) -> str | None:
    """The quality a chord symbol's written suffix ("m7b5", "7b9", "Δ") names, if we know it."""
    from .harmony import parse_chord

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


def read_raw(path: str) -> RawTune:
    """Parse any supported file into tracks (no melody choice yet)."""
    if not os.path.isfile(path):
        raise JazzError("no such file", path)
    if os.path.getsize(path) == 0:
        raise JazzError("the file is empty", path)
    ext = os.path.splitext(path)[1].lower()
    if ext in XML_EXT + ABC_EXT:
        return _read_music21(path)
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"MThd" or ext in MIDI_EXT:
        return _read_midi(path)
    raise JazzError("unknown file type (expected .mid, .midi, .xml, .mxl, .musicxml or .abc)", path)


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


def _monophony(t: Track) -> float:
    if len(t) < 2:
        return 1.0
    order = np.argsort(t.start, kind="stable")
    starts, ends = t.start[order], t.end[order]
    run_max = np.maximum.accumulate(ends)
    overlap_prev = np.r_[False, starts[1:] < run_max[:-1] - 0.125]
    overlap_next = np.r_[overlap_prev[1:], False]
    return float(1.0 - np.mean(overlap_prev | overlap_next))


def _segment(bpb: float) -> float:
    """Chord inference resolution: half a bar in 4/4 and longer bars, else a bar."""
    return bpb / 2 if bpb >= 4 else bpb


def rank_tracks(raw: RawTune, beats_per_bar: float) -> list[TrackScore]:
    """Score every pitched track as the melody: monophony, size, register, harmonic fit.

    fit is judged against the file's chord symbols, or against chords inferred
    from all the *other* pitched tracks.
    """
    cands = [(i, t) for i, t in enumerate(raw.tracks) if not t.is_drum and len(t) >= 4]
    if not cands:
        return []
    length = max(float(t.end.max()) for _, t in cands)
    seg = _segment(beats_per_bar)
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


def pick_track(raw: RawTune, ranking: list[TrackScore], melody_track: str | int | None) -> int:
    """Index of the melody track: the override (number or name) or the best-ranked."""
    if melody_track is None or melody_track == "":
        if not ranking:
            pitched = [t for t in raw.tracks if not t.is_drum and len(t)]
            why = "drums only" if any(len(t) for t in raw.tracks) and not pitched else "no notes"
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
            acc = [t for j, t in enumerate(raw.tracks) if j != idx and not t.is_drum and len(t)]
            cat = [np.concatenate([getattr(t, k) for t in acc]) if acc else np.zeros(0) for k in ("start", "end", "pitch")]
            chords, origin = chords_from_profile(*profile(*cat, length, seg), length, seg), "inferred"
            if not chords:
                mel = raw.tracks[idx]
                chords, origin = chords_from_profile(*profile(mel.start, mel.end, mel.pitch, length, bpb), length, bpb), "melody"
    if not chords:
        raise JazzError("no chords: the file has no chord symbols and nothing to infer them from", path)
    return Solo(melody, chords, bpb, raw.time_signature, raw.tempo, raw.key, path,
                f"{idx}: {raw.tracks[idx].name}", ranking, origin)


PROGRAMS = {"melody": 66, "comp": 0, "bass": 32}  # tenor sax, piano, acoustic bass (General MIDI)


def midi_bytes(solo: Solo, accompany: bool = True, programs: dict | None = None, tpq: int = 480) -> bytes:
    """A type-1 MIDI file of the solo: the melody, and (accompany=True) comping and a
    walking bass from the chords; tempo and time signature from the Solo.  Same Solo,
    same bytes."""
    import symusic

    from .harmony import accompaniment

    programs = {**PROGRAMS, **(programs or {})}
    score = symusic.Score(tpq)
    score.tempos.append(symusic.Tempo(0, float(solo.tempo)))
    score.time_signatures.append(symusic.TimeSignature(0, int(solo.time_signature[0]), int(solo.time_signature[1])))
    parts = [("Solo", programs["melody"], [(n.pitch, n.start, n.duration, n.velocity) for n in solo.notes])]
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
