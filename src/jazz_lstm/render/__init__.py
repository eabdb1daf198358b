"""render (rank 5): a solo out, in every format a user opens.

`formats` is the one output-format registry (`FORMATS`: mid, musicxml, ls, wav, png, svg, pdf,
...) and `render` / `plan_render`; `score` engraves (music21 + verovio + cairosvg), `synth`
plays (FluidSynth, or the numpy fallback), `pianoroll` draws.  A new output format is a
function here and one entry in `formats.FORMATS`.  May import ranks 0-3.
"""
