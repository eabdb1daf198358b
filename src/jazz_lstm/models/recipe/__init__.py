"""The recipe (deepjazz and the course): an LSTM(64) over one-hot grammar values, trained on
random windows of one tune, sampled value by value (or by beam search)."""
