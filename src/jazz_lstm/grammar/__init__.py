"""grammar (rank 2): the Gillick-Tang-Keller grammar of musical values, and what is built on it.

`codec` encodes notes over chords as grammar values and decodes values back into notes (the
one bar filler, the one legality rule for a value at a bar position); `vocab` is the recipe's
one-hot vocabulary; `features` factors a value into (tone type, duration, interval) and builds
the chord model's harmony features (numpy, no torch); `novelty` is the copy guard (a suffix
automaton over value streams).  May import `core` and `io`.
"""
