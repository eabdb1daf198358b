"""`python -m jazz_lstm`: the same command as `jazz-lstm` (and what torchrun runs)."""
from jazz_lstm.app.cli import main

if __name__ == "__main__":
    main()
