"""Sheet music: a MusicXML lead sheet (melody + chord symbols), an SVG by verovio and
a PNG by cairosvg.  music21, verovio and cairosvg are imported only here, when needed."""
from __future__ import annotations

import re
from fractions import Fraction

from .harmony import M21_KINDS, base_quality, pc_name
from .music import GRID, Solo, to_steps

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


def spell(pitch: int, chord) -> str:
    """A note name with octave, black keys spelled as the chord suggests: flats over
    flat-side roots (F, Bb, Eb, Ab, Db, Gb, C) and minor, diminished or flat-altered
    chords; sharps otherwise."""
    q = chord.quality if chord is not None else ""
    minor = q.startswith("m") and not q.startswith("maj")
    flats = chord is None or chord.root in (0, 1, 3, 5, 6, 8, 10) or minor or "dim" in q or "b" in q
    return f"{(_FLATS if flats else _SHARPS)[pitch % 12]}{pitch // 12 - 1}"


def readable(notes: list, legato: int = 3) -> list[tuple[int, int, object]]:
    """Notes as (onset, duration, note) in grid steps, made readable for a lead sheet:
    each beat's onsets snap to sixteenths or to eighth-note triplets (whichever fits
    that beat better), and a gap of up to `legato` steps (a quarter of a beat) before the
    next note is articulation, not a rest.  One voice: nothing overlaps."""
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
        off = max(on + 1, snap(to_steps(n.end)))
        if out and on <= out[-1][0]:
            continue  # two notes on one notated onset: keep the first
        if out and (out[-1][0] + out[-1][1] > on or on - (out[-1][0] + out[-1][1]) <= legato):
            out[-1] = (out[-1][0], on - out[-1][0], out[-1][2])
        out.append((on, off - on, n))
    return out


def to_music21(solo: Solo, title: str = ""):
    """A music21 Score: one part with the melody and the chord symbols, measures made,
    notes tied across bar lines, accidentals spelled (makeAccidentals)."""
    import music21 as m21

    part = m21.stream.Part()
    num, den = solo.time_signature
    part.insert(0, m21.meter.TimeSignature(f"{num}/{den}"))
    mean = sum(n.pitch for n in solo.notes) / max(1, len(solo.notes))
    part.insert(0, m21.clef.TrebleClef() if mean >= 55 else m21.clef.Treble8vbClef() if mean >= 45 else m21.clef.BassClef())
    part.insert(0, m21.tempo.MetronomeMark(number=round(solo.tempo)))
    pos, last = 0, None
    bar = to_steps(solo.beats_per_bar)
    for on, dur, n in readable(solo.notes):
        if (on + dur - 1) // bar != on // bar:  # snapping never pushes a note over its bar line
            dur = (on // bar + 1) * bar - on
        if on > pos:
            part.insert(Fraction(pos, GRID), m21.note.Rest(quarterLength=Fraction(on - pos, GRID)))
        note = m21.note.Note(spell(n.pitch, solo.chord_at(n.start)), quarterLength=Fraction(dur, GRID))
        note.volume.velocity = n.velocity
        if n.tie and last is not None and on == pos and last.pitch.midi == n.pitch:
            last.tie = m21.tie.Tie("continue" if last.tie is not None else "start")
            note.pitch = last.pitch  # the same spelling on both sides of the tie
            note.tie = m21.tie.Tie("stop")
        part.insert(Fraction(on, GRID), note)
        pos, last = on + dur, note
    end = -(-max(pos, to_steps(solo.length_beats)) // to_steps(solo.beats_per_bar)) * to_steps(solo.beats_per_bar)
    if end > pos:
        part.insert(Fraction(pos, GRID), m21.note.Rest(quarterLength=Fraction(end - pos, GRID)))
    # chord symbols go into the measures after makeNotation: inside a note's span music21
    # would count them as overlaps and split every measure into two voices
    part.makeNotation(inPlace=True)  # in place: a copy of every note costs more than the notation itself
    measures = list(part.getElementsByClass(m21.stream.Measure))
    bar = Fraction(to_steps(solo.beats_per_bar), GRID)
    for c in solo.chords:
        kind = _KIND.get(c.quality) or _KIND.get(base_quality(c.quality)) or _BASE.get(base_quality(c.quality), "major")
        root = _NAME.match(c.symbol).group(0) if _NAME.match(c.symbol) else pc_name(c.root)
        cs = m21.harmony.ChordSymbol(root=root.replace("b", "-"), kind=kind, kindStr=c.quality)
        if "/" in c.symbol:
            cs.bass(c.symbol.split("/")[1].replace("b", "-"))
        cs.writeAsChord = False
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


def musicxml_bytes(solo: Solo, title: str = "") -> bytes:
    """The lead sheet as MusicXML."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    xml = GeneralObjectExporter(to_music21(solo, title)).parse()
    # an explicit alteration of 0 makes renderers print a natural sign on "F/C"
    return re.sub(rb"\s*<(root|bass)-alter>0</(root|bass)-alter>", b"", xml)


def svg_pages(xml: bytes | str, width: int = 2100, height: int = 2970) -> list[str]:
    """Render MusicXML to SVG pages of an A4 shape (width x height; the last page is cut to the music)."""
    import verovio

    verovio.enableLog(verovio.LOG_OFF)  # it warns about MusicXML details on stderr
    import os

    tk = verovio.toolkit(False)
    # name the fonts' folder: in a thread other than the first, verovio looks in its build-time path
    tk.setResourcePath(os.path.join(os.path.dirname(verovio.__file__), "data"))
    tk.setOptions({"adjustPageHeight": True, "pageWidth": width, "pageHeight": height, "scale": 40,
                   "breaks": "auto", "footer": "none", "header": "auto"})
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
