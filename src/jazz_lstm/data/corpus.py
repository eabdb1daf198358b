"""A corpus: many tunes read, encoded in the grammar and cached -- arrays, no torch.

    corpus = prepare(["../shared/data/impro-visor/solos"], jobs=2)
    corpus.tunes[0].values, corpus.tunes[0].arrays()   # grammar values; factors, harmony, legality

`prepare` takes files and folders (searched recursively for .mid/.midi/.xml/.mxl/.musicxml/
.abc/.ls), reads each tune (melody, chords), encodes it, and caches the result by the
file's sha256 and the grammar version, so a second run does not parse anything.  A file
that cannot be read is named and skipped (strict=True stops instead).  With jobs > 1 the
files are read in a process pool; the result is the same as with one process.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields

import numpy as np

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import cache_dir, check_input, read_bytes, write_atomic
from jazz_lstm.core.harmony import parse_chord
from jazz_lstm.core.music import Chord, Solo, to_steps
from jazz_lstm.grammar.codec import GRAMMAR_VERSION, encode_onsets, parse_token, previous_pitches
from jazz_lstm.grammar.features import (
    FEATURES_VERSION,
    chord_roots,
    factor_array,
    harmony_features,
    legality,
    phrase_counts,
    pitch_features,
    time_features,
)
from jazz_lstm.io.formats import read_tune, tune_files
from jazz_lstm.io.tunes import resolve
from jazz_lstm.io.wjazzd import split_member

CACHE_FORMAT = "jazz-lstm-corpus/1"


@dataclass
class EncodedTune:
    """One tune in the grammar.  values: its grammar values; onsets: each value's onset in
    grid steps (1/12 beat) from beat 0; chords: the changes (times in beats);
    beats_per_bar, tempo (quarter notes per minute); low, high: the melody's register
    (MIDI pitches); sha256: of the file it was read from."""

    title: str
    source: str
    sha256: str
    values: list
    onsets: list
    chords: list
    beats_per_bar: float = 4.0
    tempo: float = 120.0
    low: int = 52
    high: int = 84
    notes: int = 0
    prev_pitches: list = field(default_factory=list)  # the pitch sounding last before each value (-1: none)
    tune: str = ""  # the tune's name (solos of one tune share it: splits keep them together)
    sections: list = field(default_factory=list)  # beats where a section of the form starts (Solo.sections)

    @classmethod
    def from_solo(cls, solo: Solo, sha256: str = "", title: str = "") -> EncodedTune:
        values, onsets = encode_onsets(solo)
        pitches = [n.pitch for n in solo.notes] or [60]
        return cls(title or os.path.splitext(os.path.basename(solo.source))[0], solo.source, sha256, values, onsets,
                   list(solo.chords), solo.beats_per_bar, solo.tempo, min(pitches), max(pitches), len(solo.notes),
                   previous_pitches(solo), tune_name(solo), list(solo.sections))

    def arrays(self, sections: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(factors (T, 3) int64, features (T, COND_DIM) float32 -- harmony, line, time --, legality (T, 3) int64).
        sections: the bar's place counted from the form's sections (False: from bar 0, as the models
        made before 0.6.0 heard it)."""
        end = self.onsets[-1] + parse_token(self.values[-1]).steps if self.values else 0
        form = [to_steps(b) for b in self.sections] if sections else ()
        cond = np.concatenate([harmony_features(self.chords, self.onsets, self.beats_per_bar),
                               pitch_features(self.prev_pitches, chord_roots(self.chords, self.onsets)),
                               time_features(self.tempo, phrase_counts(self.values), self.onsets, self.beats_per_bar, end, form)],
                              axis=1)
        return factor_array(self.values), cond, legality(self.values, self.onsets, self.beats_per_bar)

    def to_json(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["chords"] = [[c.symbol, c.start, c.duration] for c in self.chords]
        return d

    @classmethod
    def from_json(cls, data: dict) -> EncodedTune:
        d = dict(data)
        d["chords"] = [parse_chord(s, a, b) for s, a, b in d["chords"]]
        return cls(**d)


def tune_name(solo: Solo) -> str:
    """What groups solos over the same tune: the file's title ("Anthropology", "Giant Steps")
    folded to lower-case letters and digits, else the file name."""
    name = solo.title or os.path.splitext(os.path.basename(solo.source))[0]
    return "".join(ch for ch in name.lower() if ch.isalnum()) or name


@dataclass
class Corpus:
    """Encoded tunes, in the order given; skipped: (path, why) for files that could not be read."""

    tunes: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    cached: int = 0  # how many tunes came from the cache

    @property
    def n_values(self) -> int:
        return sum(len(t.values) for t in self.tunes)

    def summary(self) -> dict:
        """What a model file records of its corpus: titles, hashes, counts."""
        return {"tunes": [{"title": t.title, "source": t.source, "sha256": t.sha256, "values": len(t.values),
                           "notes": t.notes} for t in self.tunes],
                "n_tunes": len(self.tunes), "n_values": self.n_values, "skipped": [p for p, _ in self.skipped]}

    def subset(self, idx: list[int]) -> Corpus:
        return Corpus([self.tunes[i] for i in idx])


def _key(path: str, options: str) -> tuple[str, str]:
    """(the tune's sha256, its cache file name).  One solo of a database file: the file's hash
    (computed once a process) and the solo's id -- the cache keys each tune, not each file."""
    base, member = split_member(path)
    sha = _file_sha(base) if member is None else hashlib.sha256(f"{_file_sha(base)}#{member}".encode()).hexdigest()
    schema = ",".join(f.name for f in fields(EncodedTune))  # a new field means a new cache entry
    tag = hashlib.sha256(f"{GRAMMAR_VERSION}|{FEATURES_VERSION}|{CACHE_FORMAT}|{schema}|{options}".encode()).hexdigest()[:12]
    return sha, f"{sha[:32]}-{tag}.json"


_SHAS: dict = {}


def _file_sha(path: str) -> str:
    check_input(path, "tune file")
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    if key not in _SHAS:
        _SHAS[key] = hashlib.sha256(read_bytes(path, "tune file")).hexdigest()  # a folder, device or unreadable: JazzError
    return _SHAS[key]


def _read_one(args) -> tuple[str, str | None, str | None]:
    """(path, EncodedTune JSON or None, error or None) -- runs in a worker process."""
    path, melody_track, chords_json, sha = args

    try:
        real = resolve(path)
        chords = [parse_chord(s, a, b) for s, a, b in json.loads(chords_json)] if chords_json else None
        solo = read_tune(real, melody_track, chords)
        if not sha and (os.path.isfile(real) or "#" in real):  # the cache's lookup already hashed it otherwise
            sha = _key(real, "")[0]
        return path, json.dumps(EncodedTune.from_solo(solo, sha).to_json()), None
    except JazzError as e:
        return path, None, str(e)
    except (ValueError, OSError) as e:
        return path, None, f"{path}: {e}"


def prepare(paths: list[str], jobs: int = 1, cache: bool = True, strict: bool = False,
            melody_track: str | None = None, chords: list[Chord] | None = None, on_file=None) -> Corpus:
    """Read and encode every tune in `paths` (files, folders, 'default', corpus:NAME).

    jobs: worker processes for the files not yet cached.  cache: read and write the cache
    (cache_dir()).  strict: raise on the first bad file instead of skipping it.
    on_file(done, total): progress callback."""
    files = tune_files(paths)
    if jobs < 1:
        raise JazzError(f"jobs must be >= 1 (got {jobs})")
    chords_json = json.dumps([[c.symbol, c.start, c.duration] for c in chords]) if chords else ""
    options = f"{melody_track}|{chords_json}"
    results: dict = {}
    todo, keys, shas = [], {}, {}
    n_cached = 0
    for p in files:
        if cache and (os.path.isfile(p) or "#" in p):
            try:
                shas[p], name = _key(p, options)
            except JazzError:
                todo.append(p)  # unreadable: reading it again names the problem (and skips it, or stops with --strict)
                continue
            keys[p] = os.path.join(cache_dir(), name)
            try:
                with open(keys[p], encoding="utf-8") as f:
                    results[p] = (EncodedTune.from_json(json.loads(f.read())), None)
                n_cached += 1
                if on_file:
                    on_file(len(results), len(files))
                continue
            except (OSError, ValueError, KeyError, TypeError, JazzError):
                pass
        todo.append(p)
    work = [(p, melody_track, chords_json, shas.get(p, "")) for p in todo]
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = pool.map(_read_one, work, chunksize=max(1, len(work) // (8 * jobs)))
            _collect(outcomes, results, keys, strict, on_file, len(files))
    else:
        _collect(map(_read_one, work), results, keys, strict, on_file, len(files))
    corpus = Corpus(cached=n_cached)
    for p in files:
        tune, why = results[p]
        if tune is None:
            corpus.skipped.append((p, why))
        elif not tune.values:
            corpus.skipped.append((p, f"{p}: no melody notes"))
        else:
            corpus.tunes.append(tune)
    return corpus


def _collect(outcomes, results: dict, keys: dict, strict: bool, on_file, total: int) -> None:
    for path, text, why in outcomes:
        if text is None:
            if strict:
                raise JazzError(why.split(": ", 1)[-1] if why.startswith(path) else why, path)
            results[path] = (None, why)
        else:
            results[path] = (EncodedTune.from_json(json.loads(text)), None)
            if path in keys:
                try:
                    os.makedirs(os.path.dirname(keys[path]), exist_ok=True)
                    write_atomic(keys[path], text)
                except OSError:
                    pass  # a read-only cache is only slower
        if on_file:
            on_file(len(results), total)
