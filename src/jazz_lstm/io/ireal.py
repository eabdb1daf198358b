"""iReal Pro charts: `irealb://` and `irealbook://` links (one song or a playlist of many)
and the HTML playlist file iReal Pro exports, read into `charts.Chart` records.

    songs = read_ireal("irealb://Autumn%20Leaves=Kosma...")   # [IrealSong, ...]
    chart = songs[0].chart()                                   # the played form, as a Chart

A song is `Title=Composer=Style=Key=[Transpose=]Music=[CompStyle=]BPM=Repeats`; an
`irealb://` music field starts with `1r34LbKcu7` and is scrambled in blocks of 50
characters (a self-inverse permutation, `unscramble`).  The music is a grid of cells: a
chord or a space takes a cell (`XyQ` is three empty cells), `|` `[` `]` `{` `}` `Z` are
bar lines and repeats, `N1`/`N2` endings, `S` segno, `Q` coda, `<D.C. al Coda>`-style
comments, `x` / `r` repeat the last one / two bars, `n` is no chord, `p` a slash, `W` an
invisible root, `T44` a time signature, `*A` a section.  The form is expanded into the
bars a band plays: repeats with their endings, D.C./D.S. al Coda/Fine, segno and coda.
No torch, no music21.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from jazz_lstm.core.charts import Chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.harmony import readable_symbol
from jazz_lstm.io.leadsheet import bars_chords

PREFIX = "1r34LbKcu7"  # the sentinel before a scrambled music field
MAX_BARS = 2_000  # bars of one expanded form (a chart is rarely more than 200)
MAX_SONGS = 5_000  # songs in one playlist
_LINK = re.compile(r"irealb(?:ook)?://[^\s\"'<>]+")
_CHORD = re.compile(r"([A-GW][b#]?)([^\sA-GW/|\[\]{}(),;:*<ZTNYSQUfxrnp]*)(?:/([A-G][b#]?))?")


def looks_like_ireal(text: str) -> bool:
    """True for an iReal Pro link (or text holding one)."""
    return "irealb://" in text or "irealbook://" in text


def obfusc50(block: str) -> str:
    """iReal Pro's permutation of one 50-character block (its own inverse)."""
    out = list(block)
    for i in list(range(5)) + list(range(10, 24)):
        out[i], out[49 - i] = block[49 - i], block[i]
    return "".join(out)


def unscramble(body: str) -> str:
    """The music field of an `irealb://` song as written (after the PREFIX)."""
    out = []
    while len(body) > 50:
        block, body = body[:50], body[50:]
        out.append(block if len(body) < 2 else obfusc50(block))  # the app leaves a block before a 1-char tail
    return "".join(out) + body


def scramble(music: str) -> str:
    """The inverse of unscramble (what iReal Pro writes): PREFIX + scrambled music."""
    return PREFIX + unscramble(music)  # the permutation is its own inverse, block for block


@dataclass
class Bar:
    """One bar of the chart as written: cells (a chord symbol, "" for an empty cell, "/" for a
    slash, None for no chord), and the marks on it."""

    cells: list = field(default_factory=list)
    open_repeat: bool = False
    close_repeat: bool = False
    ending: int = 0  # 1, 2, ...: the first bar of an ending
    segno: bool = False
    coda: bool = False  # a coda sign: the first is "to coda", the second the coda itself
    text: str = ""  # comments on the bar (D.C. al Coda, Fine, ...)
    final: bool = False  # a final bar line after this bar
    section: str = ""
    repeat: int = 0  # 1: repeat the last bar ('x'), 2: the last two ('r')


@dataclass
class IrealSong:
    """One song of a link or playlist.  bars: the chart as written; beats_per_bar from its
    first time signature; tempo in quarter notes per minute (0: not given)."""

    title: str
    composer: str = ""
    style: str = ""
    key: str = ""
    tempo: float = 0.0
    transpose: int = 0
    time_signature: tuple = (4, 4)
    bars: list = field(default_factory=list)

    def played_bars(self) -> list[list]:
        """The bars in playing order: repeats and endings taken, D.C./D.S. al Coda/Fine
        followed, one- and two-bar repeats filled in.  Each bar is its list of cells."""
        return expand(self.bars)

    def chart(self, source: str = ""):
        """The played form as a charts.Chart (title, key, tempo, metre, where its sections start)."""
        bpb = self.time_signature[0] * 4.0 / self.time_signature[1]
        played, marks = expand_marked(self.bars)
        chords = bars_to_chords(played, bpb, source or self.title)
        if not chords:
            raise JazzError("the iReal Pro chart has no chords", source or self.title)
        key = _key_name(self.key)
        extra = {"tempo": float(self.tempo)} if 10 <= self.tempo <= 400 else {}
        try:
            return Chart(tuple(chords), bpb, key=key, title=self.title, timed=bool(extra),
                         sections=tuple(m * bpb for m in marks), **extra)
        except ValueError as e:
            raise JazzError(str(e), source or self.title) from None


def read_ireal(text: str, source: str = "") -> list[IrealSong]:
    """Every song of the iReal Pro links in `text` (a link, or an HTML playlist export);
    JazzError naming `source` when none can be read."""
    links = _LINK.findall(html.unescape(text))
    if not links:
        raise JazzError("no irealb:// or irealbook:// link found", source or None)
    songs, problems = [], []
    for link in links:
        body = unquote(link.split("://", 1)[1], errors="replace")
        pieces = [p for p in body.split("===")]
        if len(pieces) > 1:
            pieces = pieces[:-1]  # a playlist ends with its name
        for piece in pieces:
            if not piece.strip():
                continue
            try:
                songs.append(parse_song(piece, link.startswith("irealbook")))
            except (JazzError, ValueError, IndexError) as e:
                problems.append(str(getattr(e, "message", e)))
            if len(songs) > MAX_SONGS:
                raise JazzError(f"more than {MAX_SONGS} songs in one playlist", source or None)
    if not songs:
        raise JazzError(f"not an iReal Pro chart ({problems[0] if problems else 'empty'})", source or None)
    return songs


def parse_song(text: str, book: bool = False) -> IrealSong:
    """One song's `=`-separated fields (irealb:// or the older, unscrambled irealbook://)."""
    parts = [p for p in text.split("=") if p != ""]
    at = next((i for i, p in enumerate(parts) if p.startswith(PREFIX)), None)
    if at is not None:
        music = unscramble(parts[at][len(PREFIX):])
    elif len(parts) >= 6:  # irealbook: Title=Composer=Style=Key=n-or-metre=Music
        at, music = 5, parts[5]
        if re.fullmatch(r"\d{2,3}", parts[4]) and "T" not in music[:4]:
            music = "T" + parts[4] + music
    else:
        raise ValueError("a song needs title, composer, style, key and music")
    if at < 4:
        raise ValueError("a song needs title, composer, style, key and music")
    title, composer, style, key = (parts[0], parts[1], parts[2], parts[3])
    rest = parts[at + 1:]
    numbers = [p for p in rest if re.fullmatch(r"\d+", p)]
    song = IrealSong(title=title.strip()[:200] or "untitled", composer=composer.strip()[:200], style=style.strip()[:80],
                     key=key.strip()[:8])
    if numbers:
        song.tempo = float(numbers[0])
    if at == 5 and re.fullmatch(r"-?\d+", parts[4]):
        song.transpose = int(parts[4])
    song.time_signature, song.bars = parse_music(music)
    return song


def parse_music(music: str) -> tuple[tuple, list[Bar]]:
    """(first time signature, bars as written) of an unscrambled music field."""
    r = _MusicReader(music.replace("XyQ", "   ").replace("Kcl", "|x").replace("LZ", "|"))
    i = 0
    while i < len(r.music):
        i = r.token(i)
        if r.pending_ending and (r.bar.cells or r.bar.repeat):
            r.bar.ending, r.pending_ending = r.pending_ending, 0
    r.close()
    bars = r.bars
    while bars and not any(bars[-1].cells) and not bars[-1].repeat:  # trailing spaces after the last bar line
        last = bars.pop()
        if bars:
            bars[-1].final = bars[-1].final or last.final
    return r.ts or (4, 4), bars


class _MusicReader:
    """parse_music's state: the bars so far, the bar being filled, the first time signature, and
    an ending number (N1, N2) waiting for the bar it belongs to."""

    def __init__(self, music: str):
        self.music, self.bars, self.bar, self.ts, self.pending_ending = music, [], Bar(), None, 0

    def close(self, final: bool = False, repeat_end: bool = False) -> None:
        bar, bars = self.bar, self.bars
        if bar.cells or bar.repeat or repeat_end:
            bar.close_repeat = bar.close_repeat or repeat_end
            bar.final = final
            bars.append(bar)
            if len(bars) > MAX_BARS:
                raise JazzError(f"more than {MAX_BARS} bars in one chart")
            self.bar = Bar()
        elif bars:
            bars[-1].close_repeat = bars[-1].close_repeat or repeat_end
            bars[-1].final = bars[-1].final or final

    def token(self, i: int) -> int:
        """Read the token at `i`; returns where the next one starts."""
        music, n, bar, ch = self.music, len(self.music), self.bar, self.music[i]
        if ch in "<*TN(":
            return self._markup(i)
        if ch in "|[]{}Z":
            self.close(final=ch == "Z", repeat_end=ch == "}")
            self.bar.open_repeat = self.bar.open_repeat or ch == "{"
        elif ch == "x" or (ch == "r" and not bar.cells):
            bar.repeat = 1 if ch == "x" else 2
        elif ch in "SQ":
            bar.segno, bar.coda = bar.segno or ch == "S", bar.coda or ch == "Q"
        elif ch in " np":
            bar.cells.append({" ": "", "n": None, "p": "/"}[ch])
        elif ch in "ABCDEFGW":
            m = _CHORD.match(music, i)
            bar.cells.append(m.group(0))
            return m.end()
        return min(n, i + 1)  # , . : ; f s l U Y and anything unknown: no cell

    def _markup(self, i: int) -> int:
        """Text (<...>), a section (*A), a time signature (T44), an ending (N1), an alternate chord ((...))."""
        music, n, bar, ch = self.music, len(self.music), self.bar, self.music[i]
        if ch == "<":
            j = music.find(">", i)
            j = n if j < 0 else j
            bar.text += " " + music[i + 1:j]
            return j + 1
        if ch == "*" and i + 1 < n:
            bar.section = music[i + 1]
            return i + 2
        if ch == "T" and re.match(r"T\d\d", music[i:i + 3]):
            m = re.match(r"T(1[0-2]|\d)(\d)", music[i:i + 4])
            if self.ts is None and m:
                self.ts = (int(m.group(1)), int(m.group(2)))
            return i + (len(m.group(0)) if m else 3)
        if ch == "N" and i + 1 < n and music[i + 1].isdigit():
            self.pending_ending = int(music[i + 1])
            return i + 2
        if ch == "(":  # an alternate chord, written small above: not played
            j = music.find(")", i)
            return n if j < 0 else j + 1
        return i + 1


def expand(bars: list[Bar]) -> list[list]:
    """The bars in playing order (see IrealSong.played_bars)."""
    return expand_marked(bars)[0]


def expand_marked(bars: list[Bar]) -> tuple[list[list], list[int]]:
    """The bars in playing order, and the indices (in that order) of those that open a section (*A)."""
    order = _with_repeats(bars, range(len(bars)), last_pass_only=False)
    jump = next((b for b in order if re.search(r"D\.?\s*[CS]\.?", bars[b].text)), None)
    codas = [k for k, b in enumerate(bars) if b.coda]
    if jump is None and len(codas) == 2:
        jump = max(k for k in order if k < codas[1]) if any(k < codas[1] for k in order) else None
    if jump is not None:
        order = order[:order.index(jump) + 1] + _after_jump(bars, jump, codas)
    out: list[list] = []
    marks: list[int] = []
    for k in order[:MAX_BARS]:
        b = bars[k]
        if b.repeat and out:
            out += [list(c) for c in out[-b.repeat:]] if b.repeat == 2 else [list(out[-1])]
            continue
        if b.section:
            marks.append(len(out))
        out.append(list(b.cells))
    return out[:MAX_BARS], [m for m in marks if m < MAX_BARS]


def _after_jump(bars: list[Bar], jump: int, codas: list[int]) -> list[int]:
    """What a D.C. / D.S. (or a second coda sign) at bar `jump` plays next: from the top or the
    segno, last endings only, to Fine, or to the coda sign and on from the coda."""
    text = bars[jump].text
    start = next((k for k, b in enumerate(bars) if b.segno), 0) if re.search(r"D\.?\s*S", text) else 0
    again = _with_repeats(bars, range(start, len(bars)), last_pass_only=True)
    if "fine" in text.lower():
        fine = next((k for k in again if "fine" in bars[k].text.lower() and k != jump), None)
        return again[:again.index(fine) + 1] if fine is not None else again
    if codas:
        played = again[:again.index(codas[0]) + 1] if codas[0] in again else again
        return played + (list(range(codas[1], len(bars))) if len(codas) >= 2 else [])
    return again[:again.index(jump) + 1] if jump in again else again


def _with_repeats(bars: list[Bar], span, last_pass_only: bool) -> list[int]:
    """Bar indices in `span` with `{ }` repeats taken (each ending on its pass); after a final
    bar (Z) the rest (a coda) is not played.  last_pass_only: a D.C./D.S. takes only the last
    ending of each repeat, as a band plays it."""
    span = list(span)
    order, k, start, passes, pass_no = [], 0, None, 2, 1
    for _ in range(4 * MAX_BARS):  # a guard against a chart that loops
        if k >= len(span):
            break
        b = bars[span[k]]
        if b.open_repeat and start != k:
            ends = [bars[j].ending for j in span[k:] if bars[j].ending]
            start, passes = k, max([2] + ends[:4])
            pass_no = passes if last_pass_only else 1
        if b.ending and b.ending != pass_no:
            moved = _other_ending(bars, span, k, b.ending, pass_no, start)
            if moved is not None:
                k, pass_no = moved
                continue
        order.append(span[k])
        if b.close_repeat and start is not None and pass_no < passes and not (b.ending and b.ending == passes) \
                and (b.ending or not any(bars[span[m]].ending for m in range(start, k + 1))):
            k, pass_no = start, pass_no + 1
            continue
        if b.final and any(bars[j].coda for j in span[k + 1:]):
            break  # a coda after the final bar: played only after a D.C./D.S.
        k += 1
    return order


def _other_ending(bars: list[Bar], span: list[int], k: int, ending: int, pass_no: int, start) -> tuple | None:
    """At an ending meant for another pass: (where to go, the pass then) -- past an earlier
    pass's ending to the next ending or repeat, or back to the repeat's start for a later
    pass's; None to play it after all."""
    if ending < pass_no:
        nxt = next((m for m in range(k + 1, len(span)) if bars[span[m]].ending or bars[span[m]].open_repeat), None)
        return (nxt, pass_no) if nxt is not None else None
    return ((start if start is not None else 0), pass_no + 1)  # this ending is for a later pass: go back now


def bars_to_chords(bars: list[list], beats_per_bar: float, source: str = "") -> list:
    """Chord records from played bars of cells: a chord lasts until the next chord (an empty
    cell, a slash or no chord holds it).  A bar of as many cells as beats has a cell a beat
    (iReal Pro's grid: "C7 F7 " is two beats each); otherwise its chords share it equally."""
    slots, root = [], None
    for cells in bars:
        if len(cells) != round(beats_per_bar):  # not a cell a beat: the chords share the bar equally
            cells = [c for c in cells if c != ""]
        bar = []
        for cell in cells or [""]:
            if not cell or cell == "/":
                bar.append("/")
            else:
                symbol, root = ireal_symbol(cell, root)
                bar.append(symbol)
        slots.append(bar)
    return bars_chords(slots, beats_per_bar, source)


def ireal_symbol(cell: str, last_root: str | None = None) -> tuple[str, str]:
    """An iReal chord (`C-7`, `Bb^7`, `Eh7`, `Do7`, `F7alt`, `G7sus`, `W7b9`, `C-7/Bb`) in this
    tool's spelling (`Cm7`, `Bbmaj7`, `Em7b5`, `Ddim7`, ...), always one it reads (a tension it
    does not know is dropped, never the chord); returns (symbol, its root)."""
    m = _CHORD.fullmatch(cell)
    if not m:
        raise JazzError(f"unknown iReal Pro chord {cell[:20]!r}")
    root, quality, bass = m.groups()
    if root == "W":  # an invisible root: the previous chord's
        root = last_root or "C"
    q = quality
    q = re.sub(r"^-\^7?", "mmaj7", q) if q.startswith("-^") else q
    q = re.sub(r"^\^(?=\d)", "maj", q) if q.startswith("^") and len(q) > 1 and q[1].isdigit() else q
    q = "maj7" + q[1:] if q.startswith("^") else q
    q = re.sub(r"^h(7)?", "m7b5", q)
    q = re.sub(r"^o7", "dim7", q)
    q = re.sub(r"^o$", "dim", q)
    q = re.sub(r"^-", "m", q)
    q = re.sub(r"sus(?!\d)", "sus4", q)
    q = {"2": "add9", "+": "aug", "5": "5"}.get(q, q)
    return readable_symbol(root + q + (f"/{bass}" if bass else ""), "C"), root


def _key_name(key: str) -> str | None:
    m = re.fullmatch(r"([A-G][b#]?)(-?)", key.strip())
    return f"{m.group(1)} {'minor' if m.group(2) else 'major'}" if m else None
