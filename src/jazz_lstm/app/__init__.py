"""app (rank 8): the front ends, thin shells over the library.

`cli/` (the `jazz-lstm` command: one module per command, shared options in `options`), `web/`
(the studio: `service.Studio` does the work, `app` routes to it), `course` (the course's names
and shapes).  Only this folder prints, draws progress bars or speaks HTTP.  May import every
other folder; nothing imports it.
"""
