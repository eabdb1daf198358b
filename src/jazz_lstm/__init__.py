"""jazz-lstm: learn a jazz soloist's language with an LSTM and improvise over chord changes.

The stages are folders, each importing only those before it (ARCHITECTURE.md): core (notes,
chords, charts) -> io (formats in) -> grammar -> data (corpora as arrays) -> models (torch;
one folder per model kind) -> render (formats out) -> solo (whole solos) -> eval -> app
(cli, web, course).  This module re-exports the few names a script starts from.
"""
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Chord, Note, Solo
from jazz_lstm.core.version import __version__
from jazz_lstm.grammar.codec import decode, encode
from jazz_lstm.io.formats import read_tune, read_tunes

__all__ = ["JazzError", "Chord", "Note", "Solo", "read_tune", "read_tunes", "encode", "decode", "__version__"]
