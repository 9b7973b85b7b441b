"""``mlprov app``: run the Streamlit app against the configured Neo4j."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from mlprov.app.access import AUTH_ENV, HEADER_ENV, Auth, check_serving
from mlprov.errors import MlprovError
from mlprov.settings import resolve_connection

ENTRY = Path(__file__).resolve().with_name("main.py")


def streamlit_command(host: str, port: int, entry: Path = ENTRY) -> list[str]:
    """The ``streamlit run`` command line: headless, no usage statistics, no file watcher (``entry``: the
    app's entry file; the app benchmark serves a one-line page the same way to measure the floor)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(entry),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]


def app_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8501,
    auth: Annotated[
        Auth, typer.Option(help="Authentication: none (loopback only), oidc (Streamlit login), proxy.")
    ] = Auth.none,
    proxy_header: Annotated[
        str | None, typer.Option(help="With --auth proxy: the header carrying the authenticated user.")
    ] = None,
) -> None:
    """Start the Streamlit app (Overview, Pipelines, Graphlet, Predictor, Console) on the configured Neo4j."""
    check_serving(host, auth, proxy_header)
    try:
        where = resolve_connection().describe()
    except MlprovError as exc:
        where = f"not configured yet ({exc})"
    typer.echo(f"Neo4j: {where}", err=True)
    typer.echo(f"mlprov app: http://{host}:{port}  (Ctrl-C stops it)", err=True)
    env = dict(os.environ)
    # A page must say "Neo4j is down" in seconds, not after the loader's long retry budget.
    env.setdefault("MLPROV_RETRY_SECONDS", "5")
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    env[AUTH_ENV] = auth.value
    if proxy_header:
        env[HEADER_ENV] = proxy_header
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the Streamlit server (exec): Ctrl-C and SIGTERM reach it directly, nothing is orphaned.
    command = streamlit_command(host, port)
    os.execve(command[0], command, env)
