"""io (rank 1): tunes and charts in, from every format a user brings.

`formats` is the one registry of input formats (`FORMATS`) with the readers over it:
`read_tune(path)` (one tune), `read_tunes(path)` (every tune of a file, folder or database),
`tune_files(paths)`.  One module per format -- `midi` (MIDI via symusic, read and written), `musicxml`
(MusicXML/ABC via music21), `leadsheet` (Impro-Visor `.ls`, read and written), `ireal` (iReal Pro
links and exports), `wjazzd` (the Weimar Jazz Database: CSV export and SQLite) -- plus the raw
tune record (`rawtune`), melody-track ranking (`melody`), music21's bundled tunes (`tunes`), a
`--chords` value to a chart (`changes`) and the chart library by title (`chartlib`).
A new input format is a new module here and one entry in `formats.FORMATS`.  May import `core` only.
"""
