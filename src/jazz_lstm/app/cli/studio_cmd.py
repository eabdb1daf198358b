"""`jazz-lstm studio`: the web studio."""
from __future__ import annotations

from typing import Annotated

import typer

from jazz_lstm.app.cli import options as o


def studio(
    port: Annotated[int, typer.Option("--port", metavar="N", help="Port to listen on.")] = 8765,
    host: Annotated[str, typer.Option("--host", metavar="ADDR", help=(
        "Address to bind (default: this machine only). Requests must name this host (or localhost)."))] = "127.0.0.1",
    charts: o.ChartDirs = None,
):
    """Start the web studio: load a tune, train, set the changes, improvise, listen and look.

    It serves until Ctrl-C, then removes its work folder.
    """
    from jazz_lstm.core.errors import JazzError

    try:
        from jazz_lstm.app.web.app import serve
    except ImportError as e:
        raise JazzError(f"the studio needs the web extras ({e.name} is missing): pip install 'jazz-lstm[web]'") from None
    if not 0 < port < 65536:
        raise JazzError(f"--port must be in 1..65535 (got {port})")
    o.out.print(f"jazz-lstm studio: http://{host}:{port}/  (Ctrl-C to stop)", highlight=False)
    serve(host, port, charts or ())
