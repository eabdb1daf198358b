"""Sheet music: a MusicXML lead sheet (melody + chord symbols), an SVG by verovio and
a PNG by cairosvg.  music21, verovio and cairosvg are imported only here, when needed."""
from __future__ import annotations

import re
from fractions import Fraction

from jazz_lstm.core.harmony import M21_KINDS, pc_name, tonal_center
from jazz_lstm.core.music import GRID, Solo, to_steps

_KIND = {q: k for k, q in M21_KINDS.items()}
_BASE = {"7b9": "dominant-seventh", "7#9": "dominant-seventh", "7b5": "dominant-seventh", "7alt": "dominant-seventh",
         "7#11": "dominant-seventh", "13b9": "dominant-13th", "maj7#11": "major-seventh", "add9": "major",
         "9sus4": "suspended-fourth", "7sus4": "suspended-fourth", "7#5": "augmented-seventh"}
# verovio draws accidentals in chord symbols with SMuFL glyphs of its Leipzig font, which
# cairosvg (and a browser without that font) cannot show: use the Unicode signs instead
_SMUFL = {"\uea64": "\u266d", "\uea66": "\u266f", "\uea65": "\u266e", "\uea63": "\U0001d12b", "\uea67": "\U0001d12a",
          "\ueca5": "\u2669", "\ueca7": "\u266a", "\uecb7": "."}  # flat, sharp, natural, double; metronome notes
_LEIPZIG_TSPAN = re.compile(r'<tspan font-family="Leipzig" font-size="(\d+)px">([\uea63-\uea67\ueca5\ueca7\uecb7])</tspan>')
_NAME = re.compile(r"^[A-G][#b]*")
_FLATS = ["C", "D-", "D", "E-", "E", "F", "G-", "G", "A-", "A", "B-", "B"]
_SHARPS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


_LETTERS = "CDEFGAB"
_NATURAL = [0, 2, 4, 5, 7, 9, 11]
_DEGREE = {0: 0, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 5, 9: 5, 10: 6, 11: 6}  # semitones -> letters above the root
_MAJOR_FIFTHS = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: -6, 1: -5, 8: -4, 3: -3, 10: -2, 5: -1}  # tonic pc -> key signature


def spell(pitch: int, chord, fifths: int = -1) -> str:
    """A note name with octave (music21's: "C#4", "B-3"), spelled as the chord's degree: over
    C#m7 the minor third is E, the fifth G#, the seventh B; a #9 is a raised second, a b5 a
    lowered fifth, a #5 a raised fifth (from the chord's own tones).  Without a chord (or where
    the degree would need a double accidental), by the key: sharps for sharp keys (fifths > 0),
    flats otherwise."""
    pc = pitch % 12
    m = _NAME.match(chord.symbol) if chord is not None else None
    if m:
        root = chord.root
        i, has = (pc - root) % 12, {(p - root) % 12 for p in chord.pcs}
        steps = _DEGREE[i]
        if i == 3 and 4 in has:
            steps = 1  # #9 beside a major third
        elif i == 6 and 7 not in has:
            steps = 4  # b5
        elif i == 8 and 7 not in has and 4 in has:
            steps = 4  # #5
        letter = _LETTERS[(_LETTERS.index(m.group(0)[0]) + steps) % 7]
        alter = (pc - _NATURAL[_LETTERS.index(letter)] + 6) % 12 - 6
        if abs(alter) <= 1:
            name = letter + ("#" if alter > 0 else "-" if alter < 0 else "")
            return f"{name}{(pitch - alter) // 12 - 1}"
    return f"{(_SHARPS if fifths > 0 else _FLATS)[pc]}{pitch // 12 - 1}"


def key_fifths(solo: Solo) -> int:
    """The key signature (sharps > 0, flats < 0): the tune's key where it names one, else the key of
    the changes' tonal centre (harmony.tonal_center: F blues one flat, All the Things You Are four)."""
    if solo.key:
        parts = solo.key.replace("-", "b").split()
        names = dict(zip(["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"], range(12)))
        names.update({"C#": 1, "D#": 3, "F#": 6, "G#": 8, "A#": 10, "Cb": 11, "Fb": 4, "E#": 5, "B#": 0})
        if parts and parts[0] in names:
            tonic = names[parts[0]]
            return _MAJOR_FIFTHS[(tonic + 3) % 12 if len(parts) > 1 and parts[1] == "minor" else tonic]
    centre = tonal_center(list(solo.chords))
    if centre is None:
        return 0
    tonic, minor = centre
    return _MAJOR_FIFTHS[(tonic + 3) % 12 if minor else tonic]


def clef_for(pitches: list):
    """The clef that leaves the fewest notes more than two ledger lines from the staff: treble
    (G3..D6), treble 8vb (a guitar's or tenor's line, G2..D5), bass (B1..F4); treble on a tie."""
    import music21 as m21

    ranges = [(m21.clef.TrebleClef, 55, 86), (m21.clef.Treble8vbClef, 43, 74), (m21.clef.BassClef, 35, 65)]
    outside = [sum(not lo <= p <= hi for p in pitches) for _, lo, hi in ranges]
    return ranges[outside.index(min(outside))][0]()


_PLAIN = {3, 6, 9, 12, 18, 24, 36, 48}  # grid steps: 16th, 8th, dotted 8th, quarter, dotted quarter, half, dotted half, whole


def pieces(on: int, dur: int) -> list[tuple[int, int]]:
    """A span in grid steps cut where it would need an odd tuplet or a double dot: a plain
    value on the sixteenth grid stays whole; anything else is cut at beat lines, so each piece
    is a plain value, whole beats, or part of one beat on that beat's own grid."""
    out = []
    while dur > 0:
        nxt = (on // GRID + 1) * GRID
        if (on % 3 == 0 and dur in _PLAIN) or nxt - on >= dur:
            out.append((on, dur))
            break
        if on % GRID == 0 and dur % GRID == 0 and dur // GRID in (1, 2, 3, 4):
            out.append((on, dur))
            break
        out.append((on, nxt - on))
        on, dur = nxt, dur - (nxt - on)
    return out


def readable(notes: list, legato: int = 3, end: int | None = None) -> list[tuple[int, int, object]]:
    """Notes as (onset, duration, note) in grid steps, made readable for a lead sheet:
    each beat's onsets snap to sixteenths or to eighth-note triplets (whichever fits
    that beat better), and a gap of up to `legato` steps (a quarter of a beat) before the
    next note is articulation, not a rest.  One voice: nothing overlaps.  end (steps): the
    solo's end, which no snapped onset reaches (a last note just before it is never moved
    into a bar of its own)."""
    beats: dict = {}
    for n in notes:
        s = to_steps(n.start)
        beats.setdefault(s // GRID, []).append(s % GRID)
    grid = {}
    for b, offs in beats.items():  # 3 steps = a sixteenth, 4 steps = an eighth-note triplet
        err = {g: sum(min(o % g, g - o % g) for o in offs) for g in (3, 4)}
        grid[b] = 3 if err[3] <= err[4] else 4

    def snap(step: int) -> int:
        g = grid.get(step // GRID, 3)
        return (step // GRID) * GRID + min(GRID, round((step % GRID) / g) * g)

    out: list = []
    for n in notes:
        on = snap(to_steps(n.start))
        if end is not None and on >= end > to_steps(n.start):
            g = grid.get(to_steps(n.start) // GRID, 3)
            on = to_steps(n.start) // g * g  # snapped down instead
        off = max(on + grid.get(on // GRID, 3), snap(to_steps(n.end)))  # no note shorter than its beat's grid unit
        if end is not None and on < end:
            off = min(off, max(end, to_steps(n.end)))
        if out and on <= out[-1][0]:
            continue  # two notes on one notated onset: keep the first
        if out and (out[-1][0] + out[-1][1] > on or on - (out[-1][0] + out[-1][1]) <= legato):
            out[-1] = (out[-1][0], on - out[-1][0], out[-1][2])
        out.append((on, off - on, n))
    return out


def _time_signature(m21, num: int, den: int):
    """The metre, beamed by the beat in every x/4 metre (music21 beams 5/4 as 2 + 3 half-bar groups,
    so four eighths ran across a beat line; a jazz player reads 5/4 and 6/4 beat by beat)."""
    ts = m21.meter.TimeSignature(f"{num}/{den}")
    if den == 4 and num > 1:
        beams = m21.meter.MeterSequence(f"{num}/4", num)
        beams.subdividePartitionsEqual(2)
        ts.beamSequence = beams
    return ts


def to_music21(solo: Solo, title: str = ""):
    """A music21 Score: one part with the melody and the chord symbols, measures made,
    notes tied across bar lines, accidentals spelled (makeAccidentals)."""
    import music21 as m21

    part = m21.stream.Part()
    num, den = solo.time_signature
    part.insert(0, _time_signature(m21, num, den))
    fifths = key_fifths(solo)
    part.insert(0, m21.key.KeySignature(fifths))
    part.insert(0, clef_for([n.pitch for n in solo.notes]))
    part.insert(0, m21.tempo.MetronomeMark(number=round(solo.tempo)))
    pos, last = 0, None
    bar = to_steps(solo.beats_per_bar)

    changes = sorted({to_steps(c.start) for c in solo.chords})

    def at_changes(a: int, b: int) -> list:
        """The notated pieces of the span a..b (steps), cut at every chord change too: each symbol then
        stands over a note or rest of its own, and two symbols over one long value never touch."""
        cuts = [a] + [c for c in changes if a < c < b] + [b]
        return [p for lo, hi in zip(cuts, cuts[1:]) for p in pieces(lo, hi - lo)]

    def rest(a: int, b: int) -> None:
        """Rests from step a to b; one that starts off the beat stops at the beat (rests do not syncopate)."""
        beat = min(b, -(-a // GRID) * GRID)
        for on, dur in (at_changes(a, beat) if beat > a else []) + at_changes(beat, b):
            part.insert(Fraction(on, GRID), m21.note.Rest(quarterLength=Fraction(dur, GRID)))

    for on, dur, n in readable(solo.notes, end=-(-to_steps(solo.length_beats) // bar) * bar):
        line = (on // bar + 1) * bar
        if on + dur > line >= to_steps(n.end):  # snapping never pushes a note over its bar line (a note that
            dur = line - on  # crosses it, as a MIDI file holds a tied note, is tied across by makeNotation)
        if on > pos:
            rest(pos, on)
        name = last.pitch.nameWithOctave if n.tie and last is not None and on == pos and last.pitch.midi == n.pitch \
            else spell(n.pitch, solo.chord_at(n.start), fifths)
        cut = at_changes(on, on + dur)
        for k, (a, d) in enumerate(cut):
            note = m21.note.Note(name, quarterLength=Fraction(d, GRID))
            note.volume.velocity = n.velocity
            if k == 0 and n.tie and last is not None and on == pos and last.pitch.midi == n.pitch:
                last.tie = m21.tie.Tie("continue" if last.tie is not None else "start")
                note.tie = m21.tie.Tie("stop")
            elif k > 0:
                last.tie = m21.tie.Tie("continue" if last.tie is not None and last.tie.type != "stop" else "start")
                note.tie = m21.tie.Tie("stop")
            part.insert(Fraction(a, GRID), note)
            last = note
        pos = on + dur
    end = -(-max(pos, to_steps(solo.length_beats)) // bar) * bar
    if end > pos:
        rest(pos, end)
    # chord symbols go into the measures after makeNotation: inside a note's span music21
    # would count them as overlaps and split every measure into two voices
    part.makeNotation(inPlace=True)  # in place: a copy of every note costs more than the notation itself
    measures = list(part.getElementsByClass(m21.stream.Measure))
    bar = Fraction(to_steps(solo.beats_per_bar), GRID)
    for c in solo.chords:
        cs = chord_symbol(c)
        at = Fraction(to_steps(c.start), GRID)
        k = int(at // bar)
        if k < len(measures):
            measures[k].insert(at - k * bar, cs)
    score = m21.stream.Score()
    score.insert(0, m21.metadata.Metadata(title=title or "jazz-lstm solo"))
    score.insert(0, part)
    for m in score.recurse().getElementsByClass(m21.stream.Measure):
        m.makeAccidentals(useKeySignature=True, overrideStatus=True, cautionaryNotImmediateRepeat=False)
    return score


_ALTERATION = re.compile(r"(b|#|add|no)?(13|11|9|5|3)")
_HAS = {"dominant-ninth": (9,), "major-ninth": (9,), "minor-ninth": (9,), "dominant-11th": (9, 11), "minor-11th": (9, 11),
        "dominant-13th": (9, 11, 13)}  # the tensions a kind already holds: a sign on them alters, else adds


_BASE_MODS = {"7b9": [("add", 9, -1)], "7#9": [("add", 9, 1)], "7b5": [("alter", 5, -1)], "7#11": [("add", 11, 1)],
              "13b9": [("alter", 9, -1)], "maj7#11": [("add", 11, 1)], "add9": [("add", 9, 0)], "9sus4": [("add", 7, -1), ("add", 9, 0)],
              "7sus4": [("add", 7, -1)]}  # the degrees of the qualities music21 has no kind for (_BASE)


def harmony_parts(quality: str) -> tuple[str, list]:
    """(MusicXML kind, [(type, degree, semitones)]) of a chord quality: "13#11" ->
    ("dominant-13th", [("alter", 11, 1)]); "7alt" -> a dominant with #5, b9 and #9, so that a
    reader that knows no "alt" still plays the altered chord."""
    if quality == "7alt":
        return "dominant-seventh", [("alter", 5, 1), ("add", 9, -1), ("add", 9, 1)]
    for cut in range(len(quality), -1, -1):
        head, tail = quality[:cut], quality[cut:]
        kind = _KIND.get(head) or _BASE.get(head)
        if kind and "".join(m.group(0) for m in _ALTERATION.finditer(tail)) == tail:
            break
    else:
        return "major", []
    mods = [] if head in _KIND else list(_BASE_MODS.get(head, []))
    for sign, degree in _ALTERATION.findall(tail):
        degree = int(degree)
        if sign == "no":
            mods.append(("subtract", degree, 0))
            continue
        held = degree == 5 or degree in _HAS.get(kind, ())
        mods.append(("alter" if held and sign in ("b", "#") else "add", degree, {"b": -1, "#": 1}.get(sign, 0)))
    return kind, mods


def chord_symbol(c):
    """A music21 ChordSymbol that MusicXML readers play as written: root, kind, the
    alterations as <degree> elements, the slash bass as <bass> (any note: F/G, Ab/Bb, pedal
    points), and the symbol's own text for display."""
    import music21 as m21

    kind, mods = harmony_parts(c.quality)
    root = _NAME.match(c.symbol).group(0) if _NAME.match(c.symbol) else pc_name(c.root)
    cs = m21.harmony.ChordSymbol(root=root.replace("b", "-"), kind=kind, kindStr=c.symbol[len(root):].split("/")[0])
    for mod_type, degree, alter in mods:
        try:
            cs.addChordStepModification(m21.harmony.ChordStepModification(mod_type, degree, alter), updatePitches=True)
        except Exception:  # noqa: BLE001 -- music21 refuses a few odd combinations; the text still says it
            pass
    if "/" in c.symbol:
        bass = _NAME.match(c.symbol.split("/", 1)[1])
        if bass:
            cs.bass(bass.group(0).replace("b", "-"), allow_add=True)  # a bass outside the chord is a slash chord
    cs.writeAsChord = False
    return cs


def musicxml_bytes(solo: Solo, title: str = "") -> bytes:
    """The lead sheet as MusicXML."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    xml = GeneralObjectExporter(to_music21(solo, title)).parse()
    # an explicit alteration of 0 makes renderers print a natural sign on "F/C"
    xml = re.sub(rb"\s*<(root|bass)-alter>0</(root|bass)-alter>", b"", xml)
    return re.sub(rb"\s*<inversion>\d+</inversion>", b"", xml)  # music21's guess beside a <bass>: the bass says it


def svg_pages(xml: bytes | str, width: int = 2100, height: int = 2970) -> list[str]:
    """Render MusicXML to SVG pages of an A4 shape (width x height; the last page is cut to the music)."""
    import verovio

    verovio.enableLog(verovio.LOG_OFF)  # it warns about MusicXML details on stderr
    import os

    tk = verovio.toolkit(False)
    # name the fonts' folder: in a thread other than the first, verovio looks in its build-time path
    tk.setResourcePath(os.path.join(os.path.dirname(verovio.__file__), "data"))
    tk.setOptions({"adjustPageHeight": True, "pageWidth": width, "pageHeight": height, "scale": 40,
                   "breaks": "auto", "footer": "none", "header": "auto",
                   "spacingLinear": 0.3})  # a little more room than the default 0.25: no two chord symbols touch
    if not tk.loadData(xml.decode("utf-8") if isinstance(xml, bytes) else xml):
        raise ValueError("verovio could not read the MusicXML")
    return [fix_svg_text(tk.renderToSVG(k)) for k in range(1, tk.getPageCount() + 1)]


def fix_svg_text(svg: str) -> str:
    """Chord-symbol accidentals as real ♭/♯ in an ordinary font (see _SMUFL)."""
    def sub(m):
        size = int(int(m.group(1)) * 0.56)
        return f'<tspan font-family="DejaVu Sans, sans-serif" font-size="{size}px">{_SMUFL[m.group(2)]}</tspan>'

    return _LEIPZIG_TSPAN.sub(sub, svg)


def png_pages(svgs: list[str], width: int = 1600) -> list[bytes]:
    """Rasterize SVG pages to PNG pages."""
    return [png_from_svg(svg, width) for svg in svgs]


def png_from_svg(svg: str, width: int = 1600) -> bytes:
    """Rasterize an SVG to PNG on a white background."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width, background_color="white")
