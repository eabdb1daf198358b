"""The Weimar Jazz Database (WJazzD): its chord spelling, in this tool's.

WJazzD writes `-` for minor (`C-7`), `j7` for a major seventh (`Bbj7`), `m7b5`, `o`/`o7`,
`+`, `sus`/`sus7`, `6`, `69`, `alt`, and tensions as degree + accidental after the number:
`79b` = 7(b9), `j7911#` = maj7(9, #11), `79b13b` = 7(b9, b13), `sus7913` = 7sus4(9, 13);
a slash gives the bass (`-7/Bb`); `NC` is no chord.  No torch, no music21.

    wjazzd_symbol("D79b") -> "D7b9";  wjazzd_symbol("Ebj7911#") -> "Ebmaj9#11";  wjazzd_symbol("NC") -> None
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import check_input, read_bytes
from jazz_lstm.core.harmony import parse_chord, readable_symbol
from jazz_lstm.io.rawtune import RawTune, Track

_SYMBOL = re.compile(r"^([A-G][b#]?)([^/]*)(?:/([A-G][b#]?))?$")
_BASE = re.compile(r"^(-?)(j7|m7b5|o7|o|\+j7|\+7|\+|sus7|sus|69|6|7alt|7)?")
_TENSION = re.compile(r"(9|11|13)([b#]?)")


def wjazzd_symbol(symbol: str) -> str | None:
    """A WJazzD chord symbol in this tool's spelling (None for NC); JazzError if it is none."""
    s = symbol.strip()
    if s in ("NC", "N.C.", ""):
        return None
    m = _SYMBOL.match(s)
    if not m:
        raise JazzError(f"unknown WJazzD chord symbol {symbol[:20]!r}")
    root, quality, bass = m.groups()
    b = _BASE.match(quality)
    minor, base, rest = b.group(1), b.group(2) or "", quality[b.end():]
    tensions = _TENSION.findall(rest)
    if "".join(d + a for d, a in tensions) != rest:
        raise JazzError(f"unknown WJazzD chord symbol {symbol[:20]!r}")
    out = _quality(minor, base, tensions)
    return readable_symbol(root + out + (f"/{bass}" if bass else ""))


def _quality(minor: str, base: str, tensions: list) -> str:
    natural = [int(d) for d, a in tensions if not a]
    altered = "".join(a + d for d, a in tensions if a)
    top = max(natural, default=0)  # the highest natural tension names the chord: 7 + 9 + 13 = 13
    if base == "7" and natural and not minor:
        return {9: "9", 11: "11", 13: "13"}[top] + altered
    if base == "j7":
        return ("mmaj7" if minor else ("maj9" if top == 9 else "maj7")) + ("" if top == 9 and not minor else
                                                                             "".join(f"add{n}" for n in natural)) + altered
    if minor and base in ("", "7"):
        if base == "7" and natural:
            return {9: "m9", 11: "m11", 13: "m13"}[top] + altered
        return ("m7" if base == "7" else "m") + altered
    if base == "sus7":
        return ({9: "9sus4", 13: "13sus4"}.get(top, "7sus4")) + altered
    return _other_quality(minor, base, natural, top) + altered


_NAMES = {"": "", "m7b5": "m7b5", "o7": "dim7", "o": "dim", "+": "aug", "+7": "7#5", "+j7": "maj7#5", "sus": "sus4",
          "69": "69", "6": "6", "7alt": "7alt", "7": "7"}


def _other_quality(minor: str, base: str, natural: list, top: int) -> str:
    """The qualities that are their base name with added tensions (6, 69, dim, aug, sus, 7#5, ...)."""
    q = ("m" if minor and base in ("6", "69") else "") + _NAMES[base]
    if base == "+7" and natural:
        return {9: "9#5", 11: "11#5", 13: "13#5"}[top]
    if natural and base != "7":
        q += "".join(f"add{n}" if base != "69" else ("#11" if n == 11 else "") for n in natural)
    return q


# --- the CSV export: melody/NAME.csv beside beats/NAME.csv ------------------------------------
MAX_ROWS = 200_000  # rows of one solo's file (the longest WJazzD solo has under 2,000 notes)
_MELODY = ("bar", "beat", "beatdur", "division", "duration", "onset", "period", "pitch", "tatum")
_BEATS = ("bar", "beat", "chord", "onset")


def is_wjazzd_melody(path: str) -> bool:
    """True for a `melody/NAME.csv` that has its `beats/NAME.csv` beside it."""
    return path.lower().endswith(".csv") and os.path.basename(os.path.dirname(os.path.abspath(path))) == "melody" \
        and os.path.isfile(beats_path(path))


def beats_path(melody_csv: str) -> str:
    folder = os.path.dirname(os.path.dirname(os.path.abspath(melody_csv)))
    return os.path.join(folder, "beats", os.path.basename(melody_csv))


def performer_and_title(path: str) -> tuple[str, str]:
    """'ArtPepper_Anthropology-2.csv' -> ('Art Pepper', 'Anthropology')."""
    stem = os.path.splitext(os.path.basename(path))[0]
    performer, _, title = stem.partition("_")
    title = re.sub(r"[-_]\d+$", "", title).replace("_AlternateTake", " (alternate take)")
    split = lambda s: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", s)  # noqa: E731
    return split(performer), split(title) or split(performer)


def _rows(path: str, need: tuple) -> list[dict]:
    import csv

    text = read_bytes(path, "WJazzD file", 64 * 2**20).decode("utf-8", "replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        missing = [c for c in need if c not in (reader.fieldnames or [])]
        if missing:
            raise JazzError(f"not a WJazzD export: no column {', '.join(missing)}", path)
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise JazzError(f"more than {MAX_ROWS} rows: not one solo", path)
    except csv.Error as e:
        raise JazzError(f"not a CSV file ({e})", path) from None
    return rows


def _number(row: dict, key: str, path: str, lo: float, hi: float) -> float:
    try:
        v = float(row[key])
    except (TypeError, ValueError):
        raise JazzError(f"column {key} is not a number ({str(row.get(key))[:20]!r})", path) from None
    if not (lo <= v <= hi):  # NaN fails too
        raise JazzError(f"column {key} out of range ({v!r}, expected {lo:g}..{hi:g})", path)
    return v


@dataclass
class WjazzdSolo:
    """One solo read from the CSV export.  notes: (pitch, start, duration) in beats on the grid
    (12 steps a beat); performed: (onset, duration) in seconds, as played, note for note;
    chords: Chord records; bass: (beat, MIDI pitch); form: (beat, label); snapped: per
    division, how many onsets the grid moved; metre (num, den); tempo in quarter notes a minute."""

    performer: str
    title: str
    notes: list
    performed: list
    chords: list
    bass: list
    form: list
    metre: tuple
    tempo: float
    snapped: dict
    source: str


def read_wjazzd_solo(melody_csv: str) -> WjazzdSolo:
    """One solo of the CSV export; JazzError naming the file for missing columns, numbers that
    are not numbers, a beat table that does not cover the melody, absurd divisions.

    The grid: a note starts at its bar's first beat (the beat table's own count of beats per
    bar, so 3/4 and 5/4 bars and metre changes fall right), plus beat - 1, plus (tatum - 1) /
    division of a beat, snapped to 1/12 beat (divisions 1, 2, 3, 4, 6, 12 are exact; 5, 7, 8,
    ... are counted in `snapped`).  Its length: the played duration in beats (seconds over the
    beat's length), at least one grid step and at most the time to the next onset, so a gap the
    player left stays a rest and the grammar's articulation rule (gaps up to 1/4 beat) applies."""
    performer, title = performer_and_title(melody_csv)
    return solo_from_rows(_rows(melody_csv, _MELODY), _rows(beats_path(melody_csv), _BEATS), melody_csv, performer, title)


def solo_from_rows(melody: list[dict], beats: list[dict], path: str, performer: str, title: str) -> WjazzdSolo:
    """One solo from its melody and beat rows (dicts by WJazzD's column names: the CSV export's
    and the database's are the same); see read_wjazzd_solo for the rules."""
    if not melody or not beats:
        raise JazzError("no notes or no beats", path)
    bar_beats: dict = {}
    for r in beats:
        bar = int(_number(r, "bar", path, -64, 10_000))
        bar_beats[bar] = max(bar_beats.get(bar, 0), int(_number(r, "beat", path, 1, 32)))
    first = min(bar_beats)
    starts, pos = {}, 0
    for bar in range(first, max(bar_beats) + 1):
        starts[bar] = pos
        pos += bar_beats.get(bar, max(bar_beats.values()))
    metre_beats = max(set(bar_beats.values()), key=list(bar_beats.values()).count)
    notes, performed, snapped, durs = [], [], {}, []
    rows = sorted(melody, key=lambda r: _number(r, "onset", path, -1e6, 1e6))
    for r in rows:
        bar = int(_number(r, "bar", path, -64, 10_000))
        if bar not in starts:
            raise JazzError(f"a note in bar {bar}, which the beat table does not cover", path)
        beat = _number(r, "beat", path, 1, 32)
        div = int(_number(r, "division", path, 1, 96))
        tatum = _number(r, "tatum", path, 1, 96)
        exact = (tatum - 1) / div * 12
        step = round(exact)
        if abs(exact - step) > 1e-9:
            snapped[div] = snapped.get(div, 0) + 1
        start = (starts[bar] + beat - 1) * 12 + step
        beatdur = _number(r, "beatdur", path, 1e-3, 10)
        played = _number(r, "duration", path, 0, 600)
        notes.append([int(_number(r, "pitch", path, 0, 127)), start])
        durs.append(max(1, round(played / beatdur * 12)))
        performed.append((_number(r, "onset", path, -1e6, 1e6), played))
    out = []
    for k, (pitch, start) in enumerate(notes):
        nxt = notes[k + 1][1] if k + 1 < len(notes) else start + durs[k]
        if nxt <= start:  # two onsets on one grid step: the later note is kept
            continue
        out.append((pitch, start / 12, min(durs[k], nxt - start) / 12))
    chords, bass, form = _changes(beats, starts, path)
    tempo = 60.0 / sorted(_number(r, "beatdur", path, 1e-3, 10) for r in melody)[len(melody) // 2]
    return WjazzdSolo(performer, title, out, performed, chords, bass, form, (metre_beats, 4),
                      min(400.0, max(10.0, tempo)), snapped, path)


def _changes(beats: list, starts: dict, path: str):
    chords, bass, form = [], [], []
    rows = sorted(beats, key=lambda r: (int(float(r["bar"])), int(float(r["beat"]))))
    end = max(starts[int(float(r["bar"]))] + int(float(r["beat"])) for r in rows)
    for r in rows:
        at = float(starts[int(float(r["bar"]))] + int(float(r["beat"])) - 1)
        if r.get("bass_pitch") not in (None, ""):
            try:
                bass.append((at, int(float(r["bass_pitch"]))))
            except ValueError:
                pass
        if r.get("form"):
            form.append((at, str(r["form"])))
        symbol = str(r["chord"]).strip() if r.get("chord") else ""
        if not symbol:
            continue
        try:
            ours = wjazzd_symbol(symbol)
        except JazzError as e:
            raise JazzError(f"bar {r['bar']} beat {r['beat']}: {e.message}", path) from None
        if ours is None:  # NC holds the chord before it (the grammar needs a chord under every note)
            continue
        if chords and chords[-1].symbol == ours:
            continue
        if chords:
            last = chords[-1]
            chords[-1] = last.at(last.start, at - last.start)
        chords.append(parse_chord(ours, at, 1.0))
    if not chords:
        raise JazzError("no chords in the beat table", path)
    last = chords[-1]
    chords[-1] = last.at(last.start, max(1.0, end - last.start))
    if chords[0].start > 0:
        chords[0] = chords[0].at(0.0, chords[0].end)
    return chords, bass, form


# --- the SQLite database (wjazzd.db, from the Jazzomat site): one file, every solo -------------
DB_EXT = (".db", ".sqlite", ".sqlite3")
_DB_MELODY = "SELECT onset, pitch, duration, period, division, bar, beat, tatum, beatdur FROM melody WHERE melid = ? ORDER BY onset"
_DB_BEATS = "SELECT onset, bar, beat, signature, chord, form, bass_pitch, chorus_id FROM beats WHERE melid = ? ORDER BY onset"
_DB_INFO = "SELECT melid, performer, title, instrument, style, avgtempo, rhythmfeel, key, signature FROM solo_info ORDER BY melid"


@dataclass
class SoloInfo:
    """A database solo's facts (solo_info): its id, performer, title, instrument, style, average
    tempo (bpm), rhythm feel, key and metre, as the database writes them."""

    melid: int
    performer: str
    title: str
    instrument: str = ""
    style: str = ""
    avgtempo: float = 0.0
    rhythmfeel: str = ""
    key: str = ""
    signature: str = ""


def _connect(path: str):
    import sqlite3

    check_input(path, "WJazzD database")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # read-only: never changes a user's file
        con.execute("SELECT melid FROM solo_info LIMIT 1").fetchall()
        con.execute("SELECT melid FROM melody LIMIT 1").fetchall()
        con.execute("SELECT melid FROM beats LIMIT 1").fetchall()
    except sqlite3.Error as e:
        raise JazzError(f"not a WJazzD database (tables solo_info, melody and beats: {e})", path) from None
    return con


def db_solos(path: str) -> list[SoloInfo]:
    """Every solo a WJazzD database holds (solo_info), in melid order."""
    import sqlite3

    con = _connect(path)
    try:
        rows = con.execute(_DB_INFO).fetchall()
    except sqlite3.Error as e:
        raise JazzError(f"not a WJazzD database ({e})", path) from None
    finally:
        con.close()
    return [SoloInfo(int(r[0]), str(r[1] or ""), str(r[2] or ""), str(r[3] or ""), str(r[4] or ""), float(r[5] or 0),
                     str(r[6] or ""), str(r[7] or ""), str(r[8] or "")) for r in rows]


def read_db_solo(path: str, melid: int) -> WjazzdSolo:
    """Solo `melid` of a WJazzD database, read as the CSV export is read."""
    import sqlite3

    con = _connect(path)
    try:
        info = con.execute("SELECT performer, title FROM solo_info WHERE melid = ?", (melid,)).fetchone()
        if info is None:
            raise JazzError(f"no solo {melid} in this database", path)
        cols_m = ["onset", "pitch", "duration", "period", "division", "bar", "beat", "tatum", "beatdur"]
        cols_b = ["onset", "bar", "beat", "signature", "chord", "form", "bass_pitch", "chorus_id"]
        melody = [dict(zip(cols_m, r)) for r in con.execute(_DB_MELODY, (melid,)).fetchmany(MAX_ROWS + 1)]
        beats = [dict(zip(cols_b, r)) for r in con.execute(_DB_BEATS, (melid,)).fetchmany(MAX_ROWS + 1)]
    except sqlite3.Error as e:
        raise JazzError(f"cannot read solo {melid} ({e})", path) from None
    finally:
        con.close()
    if len(melody) > MAX_ROWS or len(beats) > MAX_ROWS:
        raise JazzError(f"solo {melid}: more than {MAX_ROWS} rows", path)
    return solo_from_rows(melody, beats, f"{path}#{melid}", str(info[0] or ""), str(info[1] or ""))


def split_member(path: str) -> tuple[str, int | None]:
    """'wjazzd.db#12' -> ('wjazzd.db', 12): one solo of a database file named as a path."""
    base, sep, member = path.rpartition("#")
    if sep and member.isdigit() and base.lower().endswith(DB_EXT):
        return base, int(member)
    return path, None


def read_wjazzd(path: str):
    """A WJazzD melody CSV, or one solo of a database (`wjazzd.db#MELID`), as a RawTune (midi_io's
    record): the melody on the grid (a track named after the performer), the chords, metre, tempo
    and the tune's title."""
    db, melid = split_member(path)
    s = read_db_solo(db, melid) if melid is not None else read_wjazzd_solo(path)
    p, st, d = zip(*s.notes) if s.notes else ((), (), ())
    track = Track.from_lists(f"{s.performer} (solo)", 66, False, list(st), list(d), list(p), [90] * len(p))
    return RawTune([track], s.chords, s.metre, s.tempo, None, path, title=s.title,  # the title: solos over a tune group
                   sections=tuple(sorted({beat for beat, _ in s.form})))  # the form's labels: where its sections start


def is_heldout(tune: str) -> bool:
    """The project's held-out split of WJazzD, by tune (corpus.tune_name): one tune in ten, chosen
    by its name's sha1 -- the same on every machine, and every solo over a tune on one side."""
    import hashlib

    return int(hashlib.sha1(tune.encode()).hexdigest(), 16) % 10 == 0
