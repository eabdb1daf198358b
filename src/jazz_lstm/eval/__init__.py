"""eval (rank 7): how good is a model, measured.

`metrics` (pure functions of a solo), `baselines` (shuffle / unigram / bigram of the training
values), `events` (nats per exact next note), `distinguish` (can a classifier tell human from
generated?), `evaluate` (the report), `report` (tables, HTML, tune listings).  A new metric is
a function in `metrics` and one line in `evaluate.SHOWN`.  May import ranks 0-6.
"""
