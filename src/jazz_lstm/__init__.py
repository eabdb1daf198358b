"""jazz-lstm: learn a jazz soloist's language with an LSTM and improvise over chord changes.

Representation (music, midi_io, harmony, charts, grammar, vocab) knows nothing of
torch; the model lives in model/train/sample.
"""
from .errors import JazzError
from .grammar import decode, encode
from .midi_io import read_tune
from .music import Chord, Note, Solo

__version__ = "0.2.0"
__all__ = ["JazzError", "Chord", "Note", "Solo", "read_tune", "encode", "decode", "__version__"]
