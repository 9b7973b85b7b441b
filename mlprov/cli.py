"""The ``mlprov`` command line."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.table import Table

from mlprov.db import Warehouse
from mlprov.errors import MlprovError
from mlprov.server import ManagedServer, jar_dir

app = typer.Typer(
    help="mlprov: an ML provenance warehouse on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
neo4j_app = typer.Typer(
    help="The managed local Neo4j 5.26 server (machines without Docker).", no_args_is_help=True
)
app.add_typer(neo4j_app, name="neo4j")

out = Console()
err = Console(stderr=True)


def connect() -> Warehouse:
    """Connect to the configured Neo4j and say where."""
    wh = Warehouse.connect()
    err.print(f"[dim]Neo4j: {wh.connection.describe()}[/dim]")
    return wh


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the managed server (downloads it with Maven on first use); report it if running."""
    server = ManagedServer()
    first = not (jar_dir() / ".complete").exists()
    if first:
        err.print("Resolving Neo4j from Maven Central (first start only)...")
    t0 = time.monotonic()
    status, started = server.start()
    verb = f"started in {time.monotonic() - t0:.1f}s" if started else "already running"
    out.print(f"Neo4j {status.version} {verb}: {status.uri} (HTTP {status.http_uri}), home {status.home}")
    out.print(f"Password file: {server.password_file} (owner-only)")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the managed server cleanly (checkpoint on shutdown)."""
    server = ManagedServer()
    out.print("Neo4j stopped." if server.stop() else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """URI, version, pid and store size of the managed server (exit 1 when it is not running)."""
    status = ManagedServer().status()
    if as_json:
        out.print_json(json.dumps(status.as_dict()))
    else:
        table = Table(show_header=False)
        for key, value in status.as_dict().items():
            table.add_row(key, str(value))
        out.print(table)
    if not status.running:
        raise typer.Exit(1)


@neo4j_app.command("logs")
def neo4j_logs(lines: Annotated[int, typer.Option("-n", help="How many lines.")] = 50) -> None:
    """The last lines of the managed server's neo4j.log."""
    for line in ManagedServer().log_lines(lines):
        out.print(line, markup=False, highlight=False)


def main() -> None:
    """Entry point: one clear line and a non-zero exit for every known failure."""
    try:
        code = app(standalone_mode=False)
    except MlprovError as exc:
        err.print(f"mlprov: error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        err.print("mlprov: interrupted")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
