"""models (rank 4): torch lives here, and only here.

Each model kind is a plug-in in its own folder (`recipe/`: the course's one-hot LSTM;
`chord/`: the chord-aware factored LSTM) registered in `base.KINDS`; `checkpoint` reads and
writes the one `.safetensors` model file; `trainer` trains from files; `sample` holds the
sampling settings shared by every kind.  A new model kind is a new folder here and one line in
`base.KINDS`.  May import `core`, `io`, `grammar` and `data`.
"""
