"""MusicXML and ABC through music21, bounded: the unpacked size is capped before parsing
and the parse runs under a time limit; music21's pickle cache is never used."""
from __future__ import annotations

import os
import re
import signal
import threading
from contextlib import contextmanager

import numpy as np

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.harmony import M21_KINDS, QUALITIES, make_chord, parse_chord
from jazz_lstm.core.music import Chord
from jazz_lstm.io.rawtune import KEYS as _KEYS
from jazz_lstm.io.rawtune import MAX_BEATS, RawTune, Track
from jazz_lstm.io.rawtune import spans as _spans

PARSE_SECONDS = float(os.environ.get("JAZZ_LSTM_PARSE_SECONDS", "12"))  # music21's parse of one file, at most
MAX_SCORE_BYTES = int(os.environ.get("JAZZ_LSTM_MAX_SCORE_MB", "32")) * 1024 * 1024  # a MusicXML/ABC file, unpacked


class _TooSlow(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise _TooSlow in the block after `seconds` (SIGALRM: the main thread of a Unix
    process only; elsewhere -- the studio's worker threads -- the caller bounds the time)."""
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(signum, frame):
        raise _TooSlow()

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _unpacked_size(path: str) -> int:
    """Bytes a score file holds once unpacked (an .mxl is a zip: the sum of its members)."""
    if path.lower().endswith(".mxl"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                return sum(i.file_size for i in z.infolist())
        except (zipfile.BadZipFile, OSError):
            raise JazzError("not a compressed MusicXML file (bad zip)", path) from None
    return os.path.getsize(path)


_NUM = r"\s*([^<\s]*)\s*"


def _score_text(path: str) -> str:
    """The score's text (an .mxl's largest member), for the checks made before music21 parses;
    every member is read once here, so a corrupt archive (bad CRC, bad deflate data, a name
    that does not match) is refused before music21 sees it."""
    if path.lower().endswith(".mxl"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                members = {i.filename: z.read(i) for i in z.infolist()}
        except Exception as e:  # BadZipFile, zlib.error, EOFError, NotImplementedError (a foreign method), ...
            raise JazzError(f"damaged compressed MusicXML file ({type(e).__name__})", path) from None
        data = max(members.values(), key=len, default=b"")
    else:
        with open(path, "rb") as f:
            data = f.read()
    for bom, enc in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig")):
        if data.startswith(bom):
            return data.decode(enc, "replace")
    return data.decode("utf-8", "replace")


def check_score_text(text: str, source: str) -> None:
    """Refuse, before music21 spends minutes or gigabytes on it, a score whose metre,
    divisions or durations no tune has (the same limits check_raw applies afterwards)."""
    import re

    def numbers(tag: str) -> list[float]:
        out = []
        for v in re.findall(rf"<{tag}>{_NUM}</{tag}>", text):
            try:
                out.append(float(sum(float(x) for x in v.split("+"))))
            except ValueError:
                raise JazzError(f"<{tag}> is not a number ({v[:20]!r})", source) from None
        return out

    if not text.lstrip().startswith("<"):  # ABC, not XML
        _check_abc_lengths(text, source)
    beats, types = numbers("beats"), numbers("beat-type")
    abc = re.findall(r"^M:\s*(\d+)\s*/\s*(\d+)", text, re.M)
    beats += [float(a) for a, _ in abc]
    types += [float(b) for _, b in abc]
    if any(not 1 <= b <= 32 for b in beats) or any(t not in (1, 2, 4, 8, 16, 32) for t in types):
        raise JazzError("unsupported time signature (beats 1..32 over 1, 2, 4, 8, 16 or 32)", source)
    divisions = numbers("divisions")
    if any(not 0 < d <= 1e6 for d in divisions):
        raise JazzError("<divisions> must be in 1..1000000", source)
    spans = numbers("duration")
    if any(not (v >= 0 and v < float("inf")) for v in spans) or \
            (spans and max(spans) / min(divisions or [1.0]) > MAX_BEATS):
        raise JazzError(f"a duration is negative, not a number, or longer than {MAX_BEATS} beats", source)


MAX_ABC_LENGTH = 256  # an ABC note or rest at most this many unit lengths (a bar of 4/4 in L:1/64)
_ABC_NOTE = re.compile(r"[A-Ga-gzxZX][,']*(\d+)")
_ABC_UNIT = re.compile(r"^L:\s*(\d+)\s*/\s*(\d+)", re.M)


def _check_abc_lengths(text: str, source: str) -> None:
    """Refuse ABC notes, rests and unit lengths no tune has (`A100000000|` made music21 spend
    33 s and 1.3 GB): music21 builds every beat of them."""
    for num, den in _ABC_UNIT.findall(text):
        if not (1 <= int(num) <= 16 and 1 <= int(den) <= 512):
            raise JazzError(f"ABC unit note length L:{num[:8]}/{den[:8]} is not a note length", source)
    for line in text.splitlines():
        if re.match(r"^\s*[A-Za-z+]:", line) or line.lstrip().startswith("%"):
            continue  # a header or field line, a comment
        for n in _ABC_NOTE.findall(re.sub(r'"[^"]*"|![^!]*!|\[[A-Za-z]:[^\]]*\]', "", line)):
            if len(n) > 6 or int(n) > MAX_ABC_LENGTH:
                raise JazzError(f"an ABC note or rest of {n[:12]} unit lengths (at most {MAX_ABC_LENGTH})", source)


def read_score(path: str) -> RawTune:
    """A MusicXML (.xml, .mxl, .musicxml) or ABC file as tracks, chord symbols, metre, tempo and key."""
    import music21 as m21  # heavy (a second to import): only when a score is read

    score = _parse(m21, path)
    parts = list(getattr(score, "parts", []))
    if not parts:
        raise JazzError("no parts in this score", path)
    ts_list = list(score.recurse().getElementsByClass(m21.meter.TimeSignature))
    ts = (ts_list[0].numerator, ts_list[0].denominator) if ts_list else (4, 4)
    shift = 0.0  # pickup bar: move everything so that bar lines fall on multiples of the bar
    measures = list(parts[0].getElementsByClass(m21.stream.Measure))
    if measures and measures[0].paddingLeft:
        shift = float(measures[0].paddingLeft)
    tracks = [_track(m21, part, i, shift) for i, part in enumerate(parts)]
    chords = [_chord(cs, float(cs.getOffsetInHierarchy(score)) + shift)
              for cs in score.recurse().getElementsByClass(m21.harmony.ChordSymbol)
              if not isinstance(cs, m21.harmony.NoChord)]
    tempo = 120.0
    marks = list(score.recurse().getElementsByClass(m21.tempo.MetronomeMark))
    bpm = marks[0].getQuarterBPM() if marks else None
    if bpm and np.isfinite(bpm) and bpm > 0:
        tempo = float(bpm)
    return RawTune(tracks, _spans(chords, score.highestTime + shift), ts, min(400.0, max(10.0, tempo)), _key(m21, score),
                   path)


def _parse(m21, path: str):
    """The music21 score of `path`, size-, time- and text-checked first."""
    import warnings

    if _unpacked_size(path) > MAX_SCORE_BYTES:
        raise JazzError(f"the score unpacks to more than {MAX_SCORE_BYTES // 2**20} MB (JAZZ_LSTM_MAX_SCORE_MB)", path)
    check_score_text(_score_text(path), path)
    try:
        with time_limit(PARSE_SECONDS), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # music21's warnings about a broken file would precede our one line
            return m21.converter.parse(path, forceSource=True, storePickle=False)  # never read or write pickles
    except _TooSlow:
        raise JazzError(f"music21 took more than {PARSE_SECONDS:g} s to parse this score (JAZZ_LSTM_PARSE_SECONDS)",
                        path) from None
    except Exception as e:
        raise JazzError(f"cannot parse as MusicXML/ABC ({type(e).__name__})", path) from None


def _track(m21, part, i: int, shift: float) -> Track:
    """One part's notes (ties merged; every pitch of a chord a note) as a Track."""
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
    return Track.from_lists(part.partName or f"part {i}", prog, False, *cols)


def _chord(cs, start: float) -> Chord:
    """A music21 ChordSymbol as a Chord starting at `start` (its length set by _spans)."""
    q = _quality_from_text(cs.chordKindStr)  # the symbol as written, where the file writes one ("7b9", "alt")
    if q is None:  # else the kind with its <degree> alterations
        q = _with_alterations(M21_KINDS.get(cs.chordKind), cs)
    root = cs.root().pitchClass
    bass = cs.bass().pitchClass if cs.bass() is not None else None
    names = (cs.root().name.replace("-", "b"), cs.bass().name.replace("-", "b") if cs.bass() is not None else "")
    if q is None:  # unusual kind: pick the closest known quality by pitch classes
        pcs = {p.pitchClass for p in cs.pitches}
        q = max(QUALITIES, key=lambda k: len(pcs & {(root + i) % 12 for i in QUALITIES[k][0]}) * 2
                - len({(root + i) % 12 for i in QUALITIES[k][0]} ^ pcs))
    return make_chord(root, q, start, 1.0, bass, names)


def _key(m21, score) -> str | None:
    """The first key signature as "Eb major" / "C minor"; None without one."""
    keys = list(score.recurse().getElementsByClass(m21.key.KeySignature))
    if not keys:
        return None
    k = keys[0]
    if isinstance(k, m21.key.Key):
        return f"{k.tonic.name.replace('-', 'b')} {k.mode}"
    if isinstance(k.sharps, int) and -7 <= k.sharps <= 7:  # a <key> without <fifths> has none
        return f"{_KEYS[k.sharps + 7]} major"
    return None


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
