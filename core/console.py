"""The CLI's two rich consoles (results on stdout, progress and messages on stderr), and connecting
to the warehouse while saying where.

Piped output (logs, CI, another program) gets wide tables instead of rich's 80-column default, unless
COLUMNS says otherwise, and its lines of text are never broken: a path or a URI in a message stays one
string that a reader can copy and a script can match, whatever the width.
"""

import os
import sys

from rich.console import Console

from mlprov.db import Warehouse


def _width(stream_is_tty: bool) -> int | None:
    return None if stream_is_tty or os.environ.get("COLUMNS") else 160


out = Console(width=_width(sys.stdout.isatty()), soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, width=_width(sys.stderr.isatty()), soft_wrap=not sys.stderr.isatty())


def connect() -> Warehouse:
    """Connect to the configured Neo4j and say where (never the password). Commands connect through
    ``mlprov.loader.migrate.connect``, which also checks the graph model version; only ``reset`` and
    ``migrate`` connect here directly."""
    wh = Warehouse.connect()
    err.print(f"[dim]Neo4j: {wh.connection.describe()}[/dim]")
    return wh
