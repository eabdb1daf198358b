"""solo (rank 6): whole solos from a model over a chart, and what is written with them.

`generate` improvises (chart looped or cut to the bars asked for, sampled through the model
kind, decoded into notes); `outputs` turns a request into written files; `manifest` records
how each solo was made so it can be replayed.  May import ranks 0-5.
"""
