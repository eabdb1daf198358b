"""jazz-lstm: learn a jazz soloist's language with an LSTM and improvise over chord changes.

Representation (music, midi_io, harmony, charts, grammar, vocab) knows nothing of
torch; the model lives in model/train/sample.
"""
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import Chord, Note, Solo
from jazz_lstm.core.version import __version__
from jazz_lstm.grammar.codec import decode, encode
from jazz_lstm.io.midi import read_tune

__all__ = ["JazzError", "Chord", "Note", "Solo", "read_tune", "encode", "decode", "__version__"]
