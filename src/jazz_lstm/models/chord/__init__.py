"""The chord model: an LSTM over factored values (tone type, duration, interval) that hears the
changes (harmony features) and the last pitch, trained on a corpus (DDP under torchrun)."""
