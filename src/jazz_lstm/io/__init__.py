"""io (rank 1): tunes and charts in, from every format a user brings.

One module per format -- `midi` (MIDI via symusic, and the `read_tune` dispatcher), `musicxml`
(MusicXML/ABC via music21), `leadsheet` (Impro-Visor `.ls`, read and written), `ireal` (iReal Pro
links and exports), `wjazzd` (the Weimar Jazz Database: CSV export and SQLite) -- plus the raw
tune record (`rawtune`), melody-track ranking (`melody`), music21's bundled tunes (`tunes`), a
`--chords` value to a chart (`changes`) and the chart library by title (`chartlib`).
A new input format is a new module here, registered in `midi.read_raw`.  May import `core` only.
"""
