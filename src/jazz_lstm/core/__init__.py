"""core (rank 0): the music itself and the plumbing every stage shares.

Owns notes, chords and solos (`music`), chord symbols, scales and tone types (`harmony`), the
chord chart record and chart text (`charts`), comping and bass lines from a chart
(`arrangement`), how a solo is played -- swing, accents, drums, the instrument (`feel`), the
library's one error type (`errors`), atomic files and size-checked reads
(`fileio`) and the package version.  May import nothing else of the package.
"""
