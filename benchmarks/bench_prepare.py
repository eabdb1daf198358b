"""#2: prepare a tune (parse, melody pick, chords, grammar) vs the old music21 path."""
from __future__ import annotations

import sys

from common import best_of, row, tune_path


def main(reference: bool = True) -> list[dict]:
    from jazz_lstm.grammar import codec as grammar
    from jazz_lstm.io.formats import read_tune

    path = tune_path()
    best, med = best_of(lambda: grammar.encode(read_tune(path)), 7)
    ref = ""
    if reference:  # the old tools' first step alone: music21 parses the MIDI file
        import music21

        old, _ = best_of(lambda: music21.converter.parse(path, forceSource=True), 1)
        ref = f"music21 parse alone {old:.2f} s -> {old / best:.0f}x faster"
    return [row(f"prepare {path.rsplit('/', 1)[-1]} (median {med * 1000:.0f} ms)", best, "s", "<= 0.2 s", ref)]


if __name__ == "__main__":
    main(reference="--no-reference" not in sys.argv)
