"""A library of charts by title: "autumn leaves" finds AutumnLeavesGm.ls, "all the things"
finds All The Things You Are.

The search path: the folders given (`--charts DIR`, repeatable), then `$JAZZ_LSTM_CHARTS`
(folders or files, separated by ':'), then the built-in progressions.  A folder holds
Impro-Visor leadsheets (.ls), MusicXML, iReal Pro exports (.html, or files of irealb://
links) and chart text (.txt, .chart); a playlist file gives one entry per song.  Titles are
matched forgiving case, spaces, punctuation, accents and word order.  The index of each
file (its titles) is cached by the file's size, time and sha256.

    lib = Library(["../shared/data/impro-visor/charts"])
    hits = lib.search("autumn leaves")            # [Entry, ...], best first
    chart = hits[0].load()                        # a charts.Chart
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import asdict, dataclass

from jazz_lstm.core.charts import PROGRESSIONS
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.fileio import cache_dir, read_bytes, write_atomic
from jazz_lstm.io.changes import looks_like_path, read_changes
from jazz_lstm.io.ireal import looks_like_ireal, read_ireal

IREAL_FILES = (".html", ".htm", ".irealb", ".irealbook")  # iReal Pro exports and files of links
CHART_FILES = (".ls", ".txt", ".chart", ".musicxml", ".xml", ".mxl") + IREAL_FILES
INDEX_VERSION = 1
MAX_FILES = 100_000  # files indexed from one search path
MAX_TEXT = 8 * 2**20  # bytes of one chart or playlist file


@dataclass(frozen=True)
class Entry:
    """One chart in the library: title, the file holding it, the song's place in a playlist
    file (0 for a one-chart file), composer and style where the file names them, and
    "builtin" as the path of the built-in progressions."""

    title: str
    path: str
    song: int = 0
    composer: str = ""
    style: str = ""

    def load(self):
        """The chart itself (charts.Chart)."""
        if self.path == "builtin":
            from dataclasses import replace

            return replace(read_changes(PROGRESSIONS[self.title]), title=self.title)
        if self.path.lower().endswith(IREAL_FILES):
            return read_ireal(_read_text(self.path), self.path)[self.song].chart(self.path)
        return read_changes(self.path)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Entry:
        return cls(str(data["title"]), str(data["path"]), int(data.get("song", 0)), str(data.get("composer", "")),
                   str(data.get("style", "")))


def words(text: str) -> list[str]:
    """A title as lower-case words: accents, punctuation and CamelCase forgiven."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z])([A-Z0-9])", r"\1 \2", re.sub(r"\.[A-Za-z]+$", "", text))
    return re.findall(r"[a-z0-9]+", text.lower())


def score(query: str, title: str) -> float:
    """How well `title` answers `query` (0: not at all; 100: the same title)."""
    q, t = words(query), words(title)
    if not q or not t:
        return 0.0
    qs, ts = "".join(q), "".join(t)
    if qs == ts:
        return 100.0
    if all(w in t for w in q):
        return 90.0 - 0.5 * (len(t) - len(q))
    if all(any(x.startswith(w) for x in t) for w in q):
        return 70.0 - 0.5 * (len(t) - len(q))
    if qs in ts:
        return 60.0 - 0.1 * (len(ts) - len(qs))
    ratio = difflib.SequenceMatcher(None, qs, ts).ratio()
    return 40.0 * ratio if ratio >= 0.8 else 0.0


class Library:
    """The charts on a search path (see the module's docstring)."""

    def __init__(self, folders=(), env: bool = True, builtin: bool = True, cache: bool = True):
        paths = [str(f) for f in folders or ()]
        if env and os.environ.get("JAZZ_LSTM_CHARTS"):
            paths += [p for p in os.environ["JAZZ_LSTM_CHARTS"].split(os.pathsep) if p]
        self.paths, self.builtin, self.cache = paths, builtin, cache
        self._entries: list[Entry] | None = None

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            self._entries = self._index()
        return self._entries

    def search(self, query: str, limit: int = 20) -> list[Entry]:
        """Entries whose titles match `query`, best first (at most `limit`)."""
        scored = [(score(query, e.title), e) for e in self.entries]
        scored = [(s, e) for s, e in scored if s > 0]
        scored.sort(key=lambda se: (-se[0], len(se[1].title), se[1].title, se[1].path))
        return [e for _, e in scored[:limit]]

    def find(self, query: str):
        """(the chart of the best match, its entry, the other matches) or None when no title matches."""
        hits = self.search(query)
        if not hits:
            return None
        return hits[0].load(), hits[0], hits[1:]

    def _index(self) -> list[Entry]:
        cached = _load_index() if self.cache else {}
        fresh: dict = {}
        out: list[Entry] = []
        for path in self.paths:
            if not os.path.exists(path):
                raise JazzError("no such chart folder or file", path)
            for f in _chart_files(path):
                out += _file_entries(f, cached, fresh)
        if self.builtin:
            out += [Entry(title=name, path="builtin") for name in PROGRESSIONS]
        if self.cache and fresh:
            _save_index({**cached, **fresh})
        return out


def _chart_files(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(CHART_FILES):
                found.append(os.path.join(root, name))
                if len(found) > MAX_FILES:
                    raise JazzError(f"more than {MAX_FILES} chart files", path)
    return found


def _file_entries(path: str, cached: dict, fresh: dict) -> list[Entry]:
    try:
        st = os.stat(path)
    except OSError:
        return []
    key = os.path.abspath(path)
    old = cached.get(key)
    if old and old.get("size") == st.st_size and old.get("mtime") == st.st_mtime_ns:
        return [Entry.from_json(e) for e in old.get("entries", [])]
    try:
        data = _read_bytes(path)
        entries = _titles(path, data)
    except JazzError:
        data, entries = b"", []  # an unreadable file is not in the library; using it by path says why
    fresh[key] = {"size": st.st_size, "mtime": st.st_mtime_ns, "sha256": hashlib.sha256(data).hexdigest(),
                  "entries": [e.to_json() for e in entries]}
    return entries


def _titles(path: str, data: bytes) -> list[Entry]:
    text = data.decode("utf-8", "replace")
    low = path.lower()
    stem = " ".join(words(os.path.basename(path))) or os.path.basename(path)
    if low.endswith(IREAL_FILES) or "irealb" in text[:200]:
        return [Entry(title=s.title, path=path, song=k, composer=s.composer, style=s.style)
                for k, s in enumerate(read_ireal(text, path))]
    if low.endswith(".ls"):
        t = re.search(r"\(title\s+([^)\n]*)\)", text[:4096])
        c = re.search(r"\(composer\s+([^)\n]*)\)", text[:4096])
        return [Entry(title=(t.group(1).strip() if t and t.group(1).strip() else stem), path=path,
                      composer=c.group(1).strip() if c else "")]
    if low.endswith((".musicxml", ".xml")):
        t = re.search(r"<(?:work-title|movement-title)>([^<]*)</", text[:16384])
        return [Entry(title=(t.group(1).strip() if t and t.group(1).strip() else stem), path=path)]
    return [Entry(title=stem, path=path)]


def _read_bytes(path: str) -> bytes:
    return read_bytes(path, "chart file", MAX_TEXT)


def _read_text(path: str) -> str:
    return _read_bytes(path).decode("utf-8", "replace")


def _index_path() -> str:
    return os.path.join(cache_dir(), "charts-index.json")


def _load_index() -> dict:
    try:
        with open(_index_path(), encoding="utf-8") as f:
            data = json.load(f)
        return data.get("files", {}) if data.get("version") == INDEX_VERSION else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _save_index(files: dict) -> None:
    try:
        write_atomic(_index_path(), json.dumps({"version": INDEX_VERSION, "files": files}))
    except JazzError:
        pass  # a cache that cannot be written is only slower next time


def resolve_changes(spec: str, beats_per_bar: float = 4.0, folders=(), tempo: float | None = None):
    """(Chart, notes) for anything a user may give as the changes: chart text, a chart,
    leadsheet, MusicXML or tune file, an iReal Pro link or playlist file (its first song), or
    a title in the library (`folders`, then $JAZZ_LSTM_CHARTS, then the built-ins).  notes
    say, in words, which chart was chosen where that was a choice (a title, a playlist)."""
    from dataclasses import replace

    spec = (spec or "").strip()
    is_file = os.path.isfile(spec)
    if looks_like_ireal(spec) or (is_file and spec.lower().endswith(IREAL_FILES)):
        source = spec if is_file else "iReal Pro link"
        songs = read_ireal(_read_text(spec) if is_file else spec, source)
        chart = songs[0].chart(source)
        notes = [] if len(songs) == 1 else [
            f"{source}: a playlist of {len(songs)} songs; playing the first, {songs[0].title} (choose another by title: "
            f"--chords TITLE --charts {spec if is_file else 'FILE'})"]
        return (replace(chart, tempo=float(tempo)) if tempo else chart), notes
    try:
        return read_changes(spec, beats_per_bar, tempo), []
    except JazzError as e:
        if "|" in spec or is_file or looks_like_path(spec) or os.path.exists(spec) or not spec:
            raise
        found = Library(folders).find(spec)
        if found is None:
            raise JazzError(f"{e.message}; nor is {spec!r} a title in the chart library (search it: jazz-lstm charts "
                            "QUERY; add folders with --charts DIR or JAZZ_LSTM_CHARTS)", e.source) from None
    chart, entry, others = found
    where = "built in" if entry.path == "builtin" else entry.path
    note = f"chords: {entry.title} ({where})"
    if others:
        note += "; also matched: " + ", ".join(o.title + (f" ({os.path.basename(o.path)})" if o.title == entry.title else "")
                                               for o in others[:5]) + (" ..." if len(others) > 5 else "")
    return (replace(chart, tempo=float(tempo)) if tempo else chart), [note]
