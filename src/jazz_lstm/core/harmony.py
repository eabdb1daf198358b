"""Chord symbols <-> pitch classes, chord scales and tone types, chord inference.

One rule set serves analysis (grammar.encode) and synthesis (grammar.decode): a
note is C (chord tone), S (tone of the chord's scale), A (a semitone from a chord
tone) or X (other), judged against the chord's ``scale`` chosen here.
"""
from __future__ import annotations

import re

import numpy as np

from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Chord

NAMES = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]
_LETTER = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

S_IONIAN = (0, 2, 4, 5, 7, 9, 11)
S_MIXO = (0, 2, 4, 5, 7, 9, 10)
S_DORIAN = (0, 2, 3, 5, 7, 9, 10)
S_LOCRIAN = (0, 1, 3, 5, 6, 8, 10)
S_WHOLE_HALF = (0, 2, 3, 5, 6, 8, 9, 11)
S_HALF_WHOLE = (0, 1, 3, 4, 6, 7, 9, 10)
S_WHOLE = (0, 2, 4, 6, 8, 10)
S_ALTERED = (0, 1, 3, 4, 6, 8, 10)
S_LYD_DOM = (0, 2, 4, 6, 7, 9, 10)
S_LYDIAN = (0, 2, 4, 6, 7, 9, 11)
S_MEL_MINOR = (0, 2, 3, 5, 7, 9, 11)

# canonical quality -> (chord intervals, scale intervals)
QUALITIES = {
    "": ((0, 4, 7), S_IONIAN), "6": ((0, 4, 7, 9), S_IONIAN), "69": ((0, 4, 7, 9, 2), S_IONIAN),
    "maj7": ((0, 4, 7, 11), S_IONIAN), "maj9": ((0, 4, 7, 11, 2), S_IONIAN),
    "add9": ((0, 4, 7, 2), S_IONIAN), "maj7#11": ((0, 4, 7, 11, 6), S_LYDIAN),
    "m": ((0, 3, 7), S_DORIAN), "m6": ((0, 3, 7, 9), S_DORIAN), "m7": ((0, 3, 7, 10), S_DORIAN),
    "m9": ((0, 3, 7, 10, 2), S_DORIAN), "m11": ((0, 3, 7, 10, 5), S_DORIAN),
    "mmaj7": ((0, 3, 7, 11), S_MEL_MINOR),
    "7": ((0, 4, 7, 10), S_MIXO), "9": ((0, 4, 7, 10, 2), S_MIXO), "11": ((0, 7, 10, 2, 5), S_MIXO),
    "13": ((0, 4, 7, 10, 9), S_MIXO), "7sus4": ((0, 5, 7, 10), S_MIXO), "9sus4": ((0, 5, 7, 10, 2), S_MIXO),
    "sus4": ((0, 5, 7), S_MIXO), "sus2": ((0, 2, 7), S_IONIAN), "5": ((0, 7), S_MIXO),
    "7b9": ((0, 4, 7, 10, 1), S_HALF_WHOLE), "7#9": ((0, 4, 7, 10, 3), S_ALTERED),
    "7b5": ((0, 4, 6, 10), S_WHOLE), "7#5": ((0, 4, 8, 10), S_WHOLE), "7alt": ((0, 4, 10, 1, 8), S_ALTERED),
    "7#11": ((0, 4, 7, 10, 6), S_LYD_DOM), "13b9": ((0, 4, 7, 10, 1, 9), S_HALF_WHOLE),
    "m7b5": ((0, 3, 6, 10), S_LOCRIAN), "dim": ((0, 3, 6), S_WHOLE_HALF),
    "dim7": ((0, 3, 6, 9), S_WHOLE_HALF), "aug": ((0, 4, 8), S_WHOLE),
}
# spellings musicians use -> canonical quality
_SYNONYMS = {
    "maj": "", "M": "", "major": "", "Δ": "maj7", "Δ7": "maj7", "M7": "maj7", "ma7": "maj7", "Maj7": "maj7",
    "j7": "maj7", "M9": "maj9", "Maj9": "maj9", "Δ9": "maj9", "6/9": "69", "M6": "6", "maj6": "6",
    "min": "m", "mi": "m", "-": "m", "minor": "m", "min7": "m7", "mi7": "m7", "-7": "m7", "-6": "m6",
    "min6": "m6", "-9": "m9", "min9": "m9", "-11": "m11", "m(maj7)": "mmaj7", "mM7": "mmaj7",
    "mMaj7": "mmaj7", "-Δ7": "mmaj7", "-maj7": "mmaj7", "minmaj7": "mmaj7", "dom7": "7",
    "ø": "m7b5", "ø7": "m7b5", "-7b5": "m7b5", "min7b5": "m7b5", "m7(b5)": "m7b5",
    "o": "dim", "°": "dim", "o7": "dim7", "°7": "dim7", "+": "aug", "+7": "7#5", "aug7": "7#5",
    "7+": "7#5", "7(b9)": "7b9", "7(#9)": "7#9", "alt": "7alt", "7sus": "7sus4", "sus": "sus4",
    "9sus": "9sus4", "Bass": "5", "7(#11)": "7#11", "Δ#11": "maj7#11", "maj7(#11)": "maj7#11", "mmaj": "mmaj7",
}
# music21 ChordSymbol.chordKind -> canonical quality
M21_KINDS = {
    "major": "", "minor": "m", "augmented": "aug", "diminished": "dim", "dominant-seventh": "7",
    "major-seventh": "maj7", "minor-seventh": "m7", "diminished-seventh": "dim7",
    "half-diminished-seventh": "m7b5", "augmented-seventh": "7#5", "minor-major-seventh": "mmaj7",
    "major-sixth": "6", "minor-sixth": "m6", "dominant-ninth": "9", "major-ninth": "maj9",
    "minor-ninth": "m9", "dominant-11th": "11", "minor-11th": "m11", "dominant-13th": "13",
    "suspended-second": "sus2", "suspended-fourth": "sus4", "power": "5", "6/9": "69",
}
_ROOT_RE = re.compile(r"^([A-Ga-g])([#b♯♭]*)(.*)$")


def pc_name(pc: int) -> str:
    """Pitch class -> name with flats, as jazz charts spell them ("Bb", not "A#")."""
    return NAMES[pc % 12]


def _parse_root(text: str, whole: str) -> tuple[int, str, str]:
    """(pitch class, the rest of the text, the root as written with # and b)."""
    m = _ROOT_RE.match(text)
    if not m:
        raise JazzError(f"unknown chord symbol {whole!r} (a chord starts with a note name A-G)")
    acc = m.group(2).replace("♯", "#").replace("♭", "b")
    pc = _LETTER[m.group(1).upper()] + acc.count("#") - acc.count("b")
    return pc % 12, m.group(3), m.group(1).upper() + acc


def make_chord(root: int, quality: str, start: float = 0.0, duration: float = 4.0, bass: int | None = None,
               spelling: tuple[str, str] | None = None) -> Chord:
    """A Chord from a root pitch class and a canonical quality (a key of QUALITIES).

    spelling: (root name, bass name) as written ("F#", "C#"); default: flat names."""
    ivs, scale = QUALITIES[quality]
    pcs = {(root + i) % 12 for i in ivs}
    root_name = spelling[0] if spelling else pc_name(root)
    bass_name = spelling[1] if spelling and spelling[1] else (pc_name(bass) if bass is not None else "")
    symbol = root_name + quality + (f"/{bass_name}" if bass is not None and bass != root else "")
    return Chord(symbol, root, frozenset(pcs), frozenset((root + i) % 12 for i in scale), start, duration, quality,
                 bass if bass is not None and bass != root else None)


def parse_chord(symbol: str, start: float = 0.0, duration: float = 4.0) -> Chord:
    """Parse a chord symbol ("Dm7", "Bb7b9", "F#m7b5", "C/G", "EbΔ7") into a Chord.

    Raises JazzError naming the symbol when it is not understood.
    """
    text = symbol.strip()
    bass, bass_name = None, ""
    text = text.lstrip("\\")  # Impro-Visor's escaped symbols ("\\F7")
    if "\\" in text:  # Impro-Visor's polychord "F\\Eb": the upper chord over the lower one's root
        upper, _, lower = text.partition("\\")
        text = upper + "/" + (_ROOT_RE.match(lower).group(1) + _ROOT_RE.match(lower).group(2) if _ROOT_RE.match(lower) else lower)
    if "/" in text and not text.endswith("6/9"):
        text, _, bass_txt = text.rpartition("/")
        bass, rest, bass_name = _parse_root(bass_txt, symbol)
        if rest and _ROOT_RE.match(bass_txt) and (_compound(rest) or rest in QUALITIES or rest in _SYNONYMS):
            bass_name = ""  # a polychord ("Dm7/Bb7"): the upper chord over its root as bass
        elif rest:
            raise JazzError(f"unknown chord symbol {symbol!r} (bad bass note)")
    root, suffix, root_name = _parse_root(text, symbol)
    suffix = suffix.strip().replace(" ", "")
    quality = suffix if suffix in QUALITIES else _SYNONYMS.get(suffix, _SYNONYMS.get(suffix.lower()))
    if quality is None:
        quality = _compound(suffix)
    if quality is None:
        raise JazzError(f"unknown chord symbol {symbol!r}")
    return make_chord(root, quality, start, duration, bass, (root_name, bass_name))


# --- any other suffix: a base chord and alterations, as Impro-Visor and fake books write them
_BASES = [  # (written prefix, canonical base) -- longest first
    ("mmaj7", "mmaj7"), ("mM7", "mmaj7"), ("mM9", "mmaj7"), ("maj13", "maj7"), ("maj9", "maj9"), ("maj7", "maj7"),
    ("M13", "maj7"), ("M69", "69"), ("M9", "maj9"), ("M7", "maj7"), ("m13", "m9"), ("m11", "m11"), ("m69", "m6"),
    ("m9", "m9"), ("m7", "m7"), ("m6", "m6"), ("oM7", "dim7"), ("o7M7", "dim7"), ("o7", "dim7"), ("h7", "m7b5"),
    ("13", "13"), ("11", "11"), ("9", "9"), ("7", "7"), ("69", "69"), ("67", "6"), ("6", "6"), ("M", ""), ("m", "m"),
    ("o", "dim"), ("+", "aug"), ("2", "sus2"), ("4", "sus4"), ("", ""),
]
_MODS = [  # (written alteration, intervals removed, intervals added)
    ("sus24", (3, 4), (2, 5)), ("sus4", (3, 4), (5,)), ("sus2", (3, 4), (2,)), ("sus", (3, 4), (5,)),
    ("no3", (3, 4), ()), ("add13", (), (9,)), ("add11", (), (5,)), ("add9", (), (2,)), ("add#9", (), (3,)),
    ("addb9", (), (1,)), ("add4", (), (5,)), ("add6", (), (9,)), ("add2", (), (2,)), ("#11", (), (6,)),
    ("b13", (), (8,)), ("#9", (), (3,)), ("b9", (), (1,)), ("#5", (7,), (8,)), ("+", (7,), (8,)), ("b5", (7,), (6,)),
    ("b6", (), (8,)), ("#4", (), (6,)), ("phryg", (3, 4), (1, 3, 5)),
]
_COMPOUND: dict = {}


def _compound(suffix: str) -> str | None:
    """Register and return a quality written as a base and alterations ("7#5#9", "M7#11",
    "13sus4", "m+", "9b5"), or None.  Its chord tones come from the base and the
    alterations; its scale is chosen from them as a soloist would (altered dominant,
    half-whole for b9, lydian for #11, whole tone for a lone #5/b5 ...)."""
    if suffix in _COMPOUND or suffix in QUALITIES:
        return suffix
    for prefix, base in _BASES:
        if suffix.startswith(prefix):
            rest, ivs = suffix[len(prefix):], set(QUALITIES[base][0])
            if prefix in ("13", "M13", "maj13", "m13"):
                ivs |= {2, 9} if prefix != "m13" else {2, 5, 9}
            break
    else:
        return None
    mods = []
    while rest:
        for text, drop, add in _MODS:
            if rest.startswith(text):
                ivs = (ivs - set(drop)) | set(add)
                mods.append(text)
                rest = rest[len(text):]
                break
        else:
            return None
    ivs.add(0)
    _COMPOUND[suffix] = base
    QUALITIES[suffix] = (tuple(sorted(ivs)), _scale_for(ivs, base))
    return suffix


def _scale_for(ivs: set, base: str) -> tuple:
    """The chord scale a soloist would use over these intervals."""
    if base in ("dim", "dim7"):
        return S_WHOLE_HALF
    if base == "m7b5" or {3, 6, 10} <= ivs:
        return S_LOCRIAN
    if 4 in ivs and 10 in ivs or base in ("7", "9", "11", "13"):
        return _dominant_scale(ivs)
    if 3 in ivs and 4 not in ivs:
        return _minor_scale(ivs)
    if 8 in ivs and 11 in ivs:
        return (0, 2, 4, 6, 8, 9, 11)  # lydian augmented
    if 8 in ivs:
        return S_WHOLE
    if 6 in ivs:
        return S_LYDIAN
    return S_MIXO if 10 in ivs else S_IONIAN


def _dominant_scale(ivs: set) -> tuple:
    """Over a dominant chord: altered, half-whole, whole-tone, lydian dominant or mixolydian."""
    if (1 in ivs and 3 in ivs) or (8 in ivs and (1 in ivs or 3 in ivs)) or (3 in ivs and 4 in ivs):
        return S_ALTERED
    if 1 in ivs:
        return S_HALF_WHOLE
    if 8 in ivs or (6 in ivs and 7 not in ivs):
        return S_WHOLE
    return S_LYD_DOM if 6 in ivs else S_MIXO


def _minor_scale(ivs: set) -> tuple:
    """Over a minor chord: melodic minor, phrygian, aeolian or dorian."""
    if 11 in ivs:
        return S_MEL_MINOR
    if 1 in ivs:
        return (0, 1, 3, 5, 7, 8, 10)  # phrygian
    if 8 in ivs:
        return (0, 2, 3, 5, 7, 8, 10)  # aeolian
    return S_DORIAN


def base_quality(quality: str) -> str:
    """The plain quality a compound one is built on ("7#5#9" -> "7"); itself otherwise."""
    return _COMPOUND.get(quality, quality)


def tone_type(pitch: int, chord: Chord) -> str:
    """'C' chord tone, 'S' scale tone, 'A' a semitone from a chord tone, else 'X'."""
    pc = pitch % 12
    if pc in chord.pcs:
        return "C"
    if pc in chord.scale:
        return "S"
    if (pc + 1) % 12 in chord.pcs or (pc - 1) % 12 in chord.pcs:
        return "A"
    return "X"


# --- inference from notes (pitch-class templates) ------------------------------------
_INFER = ["", "m", "7", "maj7", "m7", "m7b5", "dim7", "sus4", "6", "m6"]
_PRIOR = np.array([0.02, 0.02, 0.01, 0.0, 0.0, -0.03, -0.04, -0.05, -0.03, -0.04])


def _templates() -> tuple[np.ndarray, list[tuple[int, str]]]:
    rows, labels = [], []
    for q in _INFER:
        for r in range(12):
            v = np.zeros(12)
            v[[(r + i) % 12 for i in QUALITIES[q][0]]] = 1.0
            rows.append(v)
            labels.append((r, q))
    return np.array(rows), labels


_T, _LABELS = _templates()


def profile(start, end, pitch, length: float, segment: float) -> tuple[np.ndarray, np.ndarray]:
    """Duration-weighted pitch-class profile per segment and lowest pitch per segment.

    start, end: note times in beats (arrays); pitch: MIDI pitches.  Returns
    W (n_seg, 12) in beats and bass (n_seg,) with 200 where a segment is empty.
    """
    n_seg = max(1, int(np.ceil(length / segment - 1e-9)))
    w = np.zeros((n_seg, 12))
    bass = np.full(n_seg, 200, dtype=np.int64)
    start, end, pitch = (np.asarray(x, dtype=float) for x in (start, end, pitch))
    if start.size == 0:
        return w, bass
    a = np.clip((start // segment).astype(np.int64), 0, n_seg - 1)
    b = np.clip(((end - 1e-9) // segment).astype(np.int64), a, n_seg - 1)
    counts = b - a + 1
    idx = np.repeat(np.arange(start.size), counts)
    seg = a[idx] + np.arange(idx.size) - np.repeat(np.cumsum(counts) - counts, counts)
    ov = np.minimum(end[idx], (seg + 1) * segment) - np.maximum(start[idx], seg * segment)
    keep = ov > 0
    pc = pitch.astype(np.int64)[idx][keep]
    np.add.at(w, (seg[keep], pc % 12), ov[keep])
    np.minimum.at(bass, seg[keep], pc)
    return w, bass


def chords_from_profile(w: np.ndarray, bass: np.ndarray, length: float, segment: float) -> list[Chord]:
    """Match each segment's pitch-class profile to chord templates.

    The lowest note counts again as the bass; templates cover maj, m, 7, maj7, m7,
    m7b5, dim7, sus4, 6 and m6; ninths and other extensions count as outside
    notes, so a 9 chord reads as its 7th chord.  Empty segments hold the previous
    chord; equal neighbours are merged.  Returns [] when every segment is empty.
    """
    w = w.copy()
    n_seg = w.shape[0]
    has = w.sum(1) > 0
    if not has.any():
        return []
    rows = np.nonzero(has)[0]
    w[rows, bass[rows] % 12] += 0.5 * w[rows].max(1)
    tot = w.sum(1, keepdims=True)
    wn = np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)
    score = wn @ _T.T - 0.6 * (wn @ (1 - _T).T) + np.repeat(_PRIOR, 12)[None, :]
    roots = np.array([r for r, _ in _LABELS])
    score += 0.08 * (roots[None, :] == (bass[:, None] % 12))
    best = score.argmax(1)
    chords: list[Chord] = []
    prev = None
    first = _LABELS[best[rows[0]]]
    for s in range(n_seg):
        label = _LABELS[best[s]] if has[s] else (prev or first)
        if chords and label == prev:
            chords[-1] = chords[-1].at(chords[-1].start, chords[-1].duration + segment)
        else:
            chords.append(make_chord(label[0], label[1], s * segment, segment))
        prev = label
    last = chords[-1]
    if last.end > length > last.start:
        chords[-1] = last.at(last.start, length - last.start)
    return chords


def readable_symbol(symbol: str, fallback: str | None = None) -> str:
    """`symbol` if this tool reads it, else its longest readable head -- with its slash bass
    where that reads, else without (a tension the tool does not know is dropped, never the
    chord) -- else `fallback`; JazzError when there is none."""
    base, _, bass = symbol.partition("/")
    for tail in ((f"/{bass}",) if bass else ()) + ("",):
        for cut in range(len(base), 0, -1):
            try:
                parse_chord(base[:cut] + tail)
                return base[:cut] + tail
            except JazzError:
                continue
    if fallback is None:
        raise JazzError(f"unknown chord symbol {symbol[:20]!r}")
    return fallback


def transpose_symbol(symbol: str, semitones: int) -> str:
    """A chord symbol moved by `semitones`, its quality as written ("Bb7b9" +2 -> "C7b9",
    "F/A" +9 -> "D/Gb"); roots spelled as jazz charts spell them (flats)."""
    pc, rest, _ = _parse_root(symbol.strip(), symbol)
    head, slash, bass = rest.rpartition("/")
    if slash and _ROOT_RE.match(bass):
        bass_pc, tail, _ = _parse_root(bass, symbol)
        rest = f"{head}/{pc_name(bass_pc + semitones)}{tail}"
    return pc_name(pc + semitones) + rest



def tonal_center(chords: list[Chord]) -> tuple[int, bool] | None:
    """The key a musician would write for these changes: (tonic pitch class, minor), or None for no
    chords.  Each candidate tonic -- a chord that can be one: major or minor with a perfect fifth
    (a dominant seventh counts half, as a blues' tonic) -- scores the beats it sounds, 4 for each
    dominant resolving a fifth down into it, 4 for opening the tune and 8 for closing it (a closing
    dominant, a turnaround, gives those 8 to the chord it resolves to)."""
    score: dict[tuple[int, bool], float] = {}

    def add(root: int, minor: bool, w: float) -> None:
        score[(root, minor)] = score.get((root, minor), 0.0) + w

    def kind(c: Chord):
        iv = {(p - c.root) % 12 for p in c.pcs}
        if 7 not in iv or (3 in iv) == (4 in iv):
            return None  # no perfect fifth (dim, half-dim, aug), or no clear third (sus, power chords)
        return "dom" if 4 in iv and 10 in iv else ("minor" if 3 in iv else "major")

    kinds = [kind(c) for c in chords]
    for i, (c, k) in enumerate(zip(chords, kinds)):
        if k is None:
            continue
        add(c.root, k == "minor", c.duration * (0.5 if k == "dom" else 1.0))
        if i and kinds[i - 1] == "dom" and chords[i - 1].root == (c.root + 7) % 12:
            add(c.root, k == "minor", 4.0)
    if not chords:
        return None
    first, last = chords[0], chords[-1]
    if kinds[0]:
        add(first.root, kinds[0] == "minor", 4.0)
    if kinds[-1] == "dom":
        add((last.root + 5) % 12, False, 8.0)
    elif kinds[-1]:
        add(last.root, kinds[-1] == "minor", 8.0)
    if not score:
        return None
    (root, minor), _ = max(score.items(), key=lambda kv: (kv[1], not kv[0][1]))
    return root, minor


def bass_note(chord: Chord) -> int:
    """The pitch class a bass player plays under `chord`: the slash note where its symbol writes one
    (F/G: G; a polychord Dm7/Bb7: B-flat), else its root."""
    return chord.root if chord.bass is None else chord.bass
