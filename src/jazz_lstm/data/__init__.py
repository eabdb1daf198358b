"""data (rank 3): corpora as arrays, no torch.

`corpus` reads many tunes (a process pool, a per-tune cache keyed by content) into
`EncodedTune` records; `dataset` cuts them into training windows and splits by tune.
May import `core`, `io` and `grammar`.
"""
