"""The analysts' commands: ``mlprov query``, ``lineage``, ``live`` and ``export``.

They are registered at the end of ``core/cli.py``; ``connect`` and the consoles are imported from
there lazily (``cli`` imports this module when it is loaded).
"""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from mlprov.analysis import export, lineage
from mlprov.analysis import library as analyst
from mlprov.console import err, out
from mlprov.errors import QueryError
from mlprov.loader.load import incomplete_stores
from mlprov.loader.migrate import connect


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    json = "json"
    graphml = "graphml"


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(_jsonable(value), ensure_ascii=False)


def render(columns: list[str], rows: list[dict[str, Any]], fmt: Format, title: str | None = None) -> None:
    """Print rows as a rich table, CSV or JSON on stdout."""
    if fmt is Format.json:
        typer.echo(json.dumps([_jsonable(r) for r in rows], ensure_ascii=False, indent=1))
    elif fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in columns])
        typer.echo(buf.getvalue(), nl=False)
    else:
        table = Table(title=Text(title) if title else None)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*[Text(_cell(r.get(c))) for c in columns])  # Text: no markup, no :emoji:
        out.print(table)


def _print_library() -> None:
    table = Table(title="Library (cypher/library/) and analytics (cypher/analytics/) queries — mlprov query NAME")
    for col in ("name", "purpose", "parameters"):
        table.add_column(col, overflow="fold")
    for name, q in {**analyst.library(), **analyst.analytics()}.items():
        table.add_row(Text(name), Text(q.purpose), Text(q.parameters))
    out.print(table)


def query_command(
    statement: Annotated[
        str | None,
        typer.Argument(metavar="QUERY", help="A library query name (see --list) or inline Cypher in quotes."),
    ] = None,
    list_queries: Annotated[bool, typer.Option("--list", help="List the named queries and exit.")] = False,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="NAME=VALUE, bound as $NAME (repeatable). Ints, floats, true/false, null and JSON "
            'lists/objects are parsed; anything else, or a JSON string in double quotes ("42"), is text.',
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Row limit (says so when it cuts).")] = 1000,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds before the server stops it.")] = 30.0,
) -> None:
    """Run a library query or inline Cypher, always read-only (the server refuses writes)."""
    if list_queries:
        _print_library()
        return
    if not statement or not statement.strip():
        raise QueryError("give a library query name (see `mlprov query --list`) or Cypher in quotes")
    params = analyst.parse_params(param)
    with connect() as wh:
        if analyst.is_query_name(statement):
            result = analyst.run_named(wh, statement, params, limit=limit, timeout_s=timeout)
            # the library counts completely loaded stores only: say which ones it left out
            skipped = incomplete_stores(wh)
        else:
            skipped = []
            result = analyst.run_analyst(wh, statement, params, limit=limit, timeout_s=timeout)
    render(result.columns, result.rows, fmt)
    for line in skipped:
        err.print(f"mlprov: note: {line}", markup=False, highlight=False)
    if result.truncated:
        err.print(f"[yellow]truncated: the first {result.limit} rows only (raise --limit)[/yellow]")
    else:
        err.print(f"[dim]{len(result.rows)} row(s)[/dim]")


def lineage_command(
    uid: Annotated[
        str, typer.Argument(metavar="UID", help="uid of an execution or artifact, e.g. store:e:42 or store:a:7.")
    ],
    up: Annotated[bool, typer.Option("--up", help="Ancestors: what it was made from (default).")] = False,
    down: Annotated[bool, typer.Option("--down", help="Descendants: what was made from it.")] = False,
    depth: Annotated[int, typer.Option("--depth", min=1, help="Hops (edges); 2 hops = one operator.")] = 10,
    max_nodes: Annotated[int, typer.Option("--max-nodes", min=1, help="Node cap, start included.")] = 1000,
    skip_cached: Annotated[
        bool, typer.Option("--skip-cached", help="Leave out CACHED executions (re-publications).")
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table/csv: nodes; json: nodes and edges.")] = (
        Format.table
    ),
) -> None:
    """Ancestors or descendants of an execution or artifact, bounded, saying when truncated."""
    if up and down:
        raise QueryError("choose one of --up and --down")
    direction = lineage.DOWN if down else lineage.UP
    with connect() as wh:
        result = lineage.walk(wh, uid, direction=direction, depth=depth, max_nodes=max_nodes, skip_cached=skip_cached)
    if fmt is Format.json:
        typer.echo(json.dumps(_jsonable(result.as_dict()), indent=1))
    else:
        columns = ["depth", *lineage.NODE_FIELDS]
        render(
            columns, result.nodes, fmt, title=f"{'Ancestors' if direction == lineage.UP else 'Descendants'} of {uid}"
        )
    summary = f"{len(result.nodes)} nodes, {len(result.edges)} edges"
    if result.truncated:
        err.print(f"[yellow]truncated ({result.reason}); {summary}[/yellow]")
    else:
        err.print(f"[dim]complete: {summary}[/dim]")


def live_command(
    at: Annotated[str, typer.Option("--at", help="ISO 8601 time (naive = UTC) or ms since the epoch.")],
    store: Annotated[str | None, typer.Option("--store", help="Only this store.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """What was live at an instant: each pipeline's latest pushed model, from the push history."""
    at_ms = lineage.parse_instant(at)
    with connect() as wh:
        rows = lineage.live_at(wh, at_ms, store=store)
    columns = ["store", "pipeline", "pushed_model", "version", "pushed_at", "pusher", "model", "pushes_before"]
    if fmt is Format.json:
        columns = list(rows[0]) if rows else columns
    when = datetime.fromtimestamp(at_ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    render(columns, rows, fmt, title=f"Live at {when}")
    err.print(f"[dim]{len(rows)} pipeline(s) with a pushed model at {when} ({at_ms} ms)[/dim]")


def export_command(
    pipeline: Annotated[str, typer.Argument(metavar="PIPELINE", help="Pipeline name (see `mlprov query pipelines`).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="json or graphml.")] = ExportFormat.json,
    store: Annotated[str | None, typer.Option("--store", help="The store, when several hold the name.")] = None,
) -> None:
    """Export one pipeline's subgraph (nodes, edges, properties) as JSON or GraphML."""
    with connect() as wh:
        sub, text = export.export(wh, pipeline, fmt.value, store=store)
    output.write_text(text, encoding="utf-8")
    out.print(f"{len(sub.nodes)} nodes, {len(sub.edges)} edges of {sub.store}/{sub.pipeline} → {output} ({fmt.value})")
