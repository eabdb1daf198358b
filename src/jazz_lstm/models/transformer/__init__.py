"""The Transformer: the chord model's inputs, heads, masks, trainer and sampler around a causal
Transformer (nanoGPT's pre-norm blocks, rotary positions, a key/value cache for sampling) in place
of the LSTM -- `jazz-lstm train --arch transformer`."""
