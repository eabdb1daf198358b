"""The Weimar Jazz Database (WJazzD): its chord spelling, in this tool's.

WJazzD writes `-` for minor (`C-7`), `j7` for a major seventh (`Bbj7`), `m7b5`, `o`/`o7`,
`+`, `sus`/`sus7`, `6`, `69`, `alt`, and tensions as degree + accidental after the number:
`79b` = 7(b9), `j7911#` = maj7(9, #11), `79b13b` = 7(b9, b13), `sus7913` = 7sus4(9, 13);
a slash gives the bass (`-7/Bb`); `NC` is no chord.  No torch, no music21.

    wjazzd_symbol("D79b") -> "D7b9";  wjazzd_symbol("Ebj7911#") -> "Ebmaj9#11";  wjazzd_symbol("NC") -> None
"""
from __future__ import annotations

import re

from .errors import JazzError

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
    return _readable(root + out + (f"/{bass}" if bass else ""))


def _quality(minor: str, base: str, tensions: list) -> str:
    natural = [int(d) for d, a in tensions if not a]
    altered = "".join(a + d for d, a in tensions if a)
    top = max(natural, default=0)  # the highest natural tension names the chord: 7 + 9 + 13 = 13
    if base in ("7", "") and natural and not minor and base == "7":
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
    names = {"": "", "m7b5": "m7b5", "o7": "dim7", "o": "dim", "+": "aug", "+7": "7#5", "+j7": "maj7#5", "sus": "sus4",
             "69": "69", "6": "6", "7alt": "7alt", "7": "7"}
    q = ("m" if minor and base in ("6", "69") else "") + names[base]
    if base == "+7" and natural:
        q = {9: "9#5", 11: "11#5", 13: "13#5"}[top]
    elif natural and base not in ("7",):
        q += "".join(f"add{n}" if base != "69" else ("#11" if n == 11 else "") for n in natural)
    return q + altered


def _readable(symbol: str) -> str:
    """The symbol if this tool reads it, else its longest readable head (a tension may be dropped, never the chord)."""
    from .harmony import parse_chord

    base, _, bass = symbol.partition("/")
    tail = f"/{bass}" if bass else ""
    for cut in range(len(base), 0, -1):
        try:
            parse_chord(base[:cut] + tail)
            return base[:cut] + tail
        except JazzError:
            continue
    raise JazzError(f"unknown chord symbol {symbol[:20]!r}")
