"""Which format a file is, and reading any of them: the one registry of input formats.

    solo = read_tune("tune.mid")                 # one file: its melody over its chords
    solos = read_tunes("../shared/data/wjazzd")  # a folder or a database: every tune in it

A new input format is a reader `path -> RawTune` in its own module of io/ and one entry in
FORMATS (with `members` when one file holds many tunes, as a WJazzD database does).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import check_input
from jazz_lstm.core.harmony import chords_from_profile, profile
from jazz_lstm.core.music import Chord, Provenance, Solo
from jazz_lstm.io.leadsheet import read_leadsheet
from jazz_lstm.io.melody import doubles, pick_track, rank_tracks
from jazz_lstm.io.melody import segment as _segment
from jazz_lstm.io.melody import top_voice
from jazz_lstm.io.midi import MIDI_EXT, read_midi
from jazz_lstm.io.musicxml import read_score
from jazz_lstm.io.rawtune import MAX_BEATS, RawTune
from jazz_lstm.io.wjazzd import DB_EXT, db_solos, is_wjazzd_melody, read_wjazzd, split_member


@dataclass(frozen=True, kw_only=True)
class InputFormat:
    """One input format: the file-name endings it claims and its reader."""

    name: str  # what the format is called ("MIDI", "MusicXML", ...)
    extensions: tuple[str, ...]  # lower-case file-name endings, with the dot
    read: Callable[[str], RawTune]  # path -> tracks, chords, metre, tempo, key; JazzError when unreadable
    members: Callable[[str], list[str]] | None = None  # a file holding many tunes: their paths ("FILE#ID")
    in_folder: Callable[[str], bool] | None = None  # which files of a folder are tunes of this format (None: all)

    @property
    def describe(self) -> str:
        return f"{self.name} ({', '.join(self.extensions)})"


def _read_csv(path: str) -> RawTune:
    if not is_wjazzd_melody(path):
        raise JazzError("a .csv tune must be a WJazzD melody/NAME.csv with its beats/NAME.csv beside it", path)
    return read_wjazzd(path)


def _read_database(path: str) -> RawTune:
    if split_member(path)[1] is None:
        raise JazzError("a WJazzD database holds many solos: name one as FILE#MELID (`jazz-lstm inspect FILE` lists "
                        "them), or give the file to train/evaluate for all of them", path)
    return read_wjazzd(path)


FORMATS = (
    InputFormat(name="MIDI", extensions=MIDI_EXT, read=read_midi),
    InputFormat(name="MusicXML", extensions=(".xml", ".mxl", ".musicxml"), read=read_score),
    InputFormat(name="ABC", extensions=(".abc",), read=read_score),
    InputFormat(name="Impro-Visor leadsheet", extensions=(".ls",), read=read_leadsheet),
    InputFormat(name="WJazzD CSV export", extensions=(".csv",), read=_read_csv,
                in_folder=lambda p: os.path.basename(os.path.dirname(p)) == "melody"),  # melody/NAME.csv beside beats/
    InputFormat(name="WJazzD database", extensions=DB_EXT, read=_read_database,
                members=lambda p: [f"{p}#{s.melid}" for s in db_solos(p)]),
)
TUNE_EXT = tuple(e for f in FORMATS if f.members is None for e in f.extensions)  # files that are one tune each


def format_of(path: str) -> InputFormat | None:
    """The format a path's name says (a MIDI file by its header whatever its name); None when unknown."""
    low = path.lower()
    fmt = next((f for f in FORMATS if low.endswith(f.extensions)), None)
    if fmt is None and os.path.isfile(path):
        with open(path, "rb") as f:
            if f.read(4) == b"MThd":
                return FORMATS[0]
    return fmt


def tune_files(paths: list[str]) -> list[str]:
    """Files and folders -> one path per tune: a folder searched recursively (sorted), a file
    holding many tunes (a WJazzD database) as its members ("FILE#ID"); other names kept as given."""
    out: list[str] = []
    for p in paths:
        fmt = format_of(p) if os.path.isfile(p) else None
        if fmt is not None and fmt.members is not None:
            out += fmt.members(p)
        elif os.path.isdir(p):
            found = sorted(os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs if _tune_in_folder(os.path.join(d, f)))
            if not found:
                raise JazzError("no tune files in this folder", p)
            out += found
        else:
            out.append(p)
    return out


def _tune_in_folder(path: str) -> bool:
    fmt = next((f for f in FORMATS if f.members is None and path.lower().endswith(f.extensions)), None)
    return fmt is not None and (fmt.in_folder is None or fmt.in_folder(path))


def read_tunes(path: str, melody_track: str | int | None = None) -> list[Solo]:
    """Every tune a path holds: a file, a folder (searched recursively) or a database; JazzError
    for the first that cannot be read (data.corpus.prepare skips and caches them instead)."""
    return [read_tune(p, melody_track) for p in tune_files([path])]


def read_raw(path: str) -> RawTune:
    """Parse any supported file into tracks (no melody choice yet); JazzError for anything
    unreadable or absurd (see check_raw).  `wjazzd.db#MELID` names one solo of a WJazzD database."""
    if split_member(path)[1] is not None:
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
    fmt = format_of(path)
    if fmt is None:
        raise JazzError(f"unknown file type (expected {', '.join(f.describe for f in FORMATS)})", path)
    return fmt.read(path)


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
                title=raw.title, sections=tuple(raw.sections),
                provenance=Provenance(path, f"{idx}: {raw.tracks[idx].name}", tuple(ranking), origin))
