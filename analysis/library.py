"""Analyst Cypher: the named query library, bound parameters, and the read-only guard.

Every analyst statement (``mlprov query``, the app's console) goes through :func:`run_analyst`:

1. the statement is planned with ``EXPLAIN`` (nothing runs) and refused when its plan holds an
   operation that a read transaction does not stop on Neo4j Community, where every user is an
   admin: ``LOAD CSV`` (it fetches any URL the server can reach), ``TERMINATE TRANSACTIONS`` (it
   kills other users' transactions, e.g. a running load) and DBMS-mode procedures outside a small
   informational allow-list (``dbms.killConnections``, ``db.clearQueryCaches``, ``dbms.listConfig``…);
2. it then runs in a read transaction with a row limit and a timeout (``Warehouse.read_text``), so
   the server itself refuses every write: CREATE, MERGE, SET, DELETE, REMOVE, FOREACH writes, schema
   and user/database administration, write procedures, writes hidden in ``CALL { … }``.

Parameter values are always bound, never formatted into the statement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlprov import docgen
from mlprov.db import Row, Warehouse
from mlprov.errors import QueryError
from mlprov.queries import Query, catalog, query

LIBRARY = "library/"
ANALYTICS = "analytics/"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_/-]*$")
_OPTIONAL = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*\([^)]*\boptional\b", re.IGNORECASE)
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")

# Plan operators a read transaction lets through but an analyst must not run.
REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV reads files and URLs from the server's side",
    "TerminateTransactions": "TERMINATE TRANSACTIONS stops other users' transactions",
}
# DBMS-mode procedures that only report; every other DBMS-mode procedure is refused (WRITE and
# SCHEMA ones are refused by the server in a read transaction anyway).
INFORMATIONAL_PROCEDURES = frozenset(
    {
        "dbms.components",
        "dbms.info",
        "dbms.showCurrentUser",
        "dbms.listCapabilities",
        "dbms.routing.getRoutingTable",
        "dbms.cluster.routing.getRoutingTable",
        "tx.getMetaData",
        "tx.setMetaData",
    }
)
_PROCEDURE = re.compile(r"^\s*([A-Za-z0-9_.`]+)\s*\(")


@dataclass(frozen=True)
class Result:
    """Rows of an analyst query; ``truncated`` when the row limit cut it short."""

    columns: list[str]
    rows: list[Row]
    truncated: bool
    limit: int


def library() -> dict[str, Query]:
    """The analysts' named queries (``cypher/library/``), by short name."""
    return {name[len(LIBRARY) :]: q for name, q in catalog().items() if name.startswith(LIBRARY)}


def analytics() -> dict[str, Query]:
    """The corpus analytics queries (``cypher/analytics/``, run by ``mlprov report``), by full name."""
    return {name: q for name, q in catalog().items() if name.startswith(ANALYTICS)}


def is_query_name(text: str) -> bool:
    """A bare word such as ``pipelines`` or ``graphlets/list`` names a query; anything else is Cypher."""
    return bool(_NAME.match(text.strip()))


def resolve(name: str) -> Query:
    """A library query by short name (``pipelines``) or any catalog query by full name."""
    name = name.strip()
    if "/" not in name:
        found = library().get(name)
        if found is None:
            raise QueryError(f"no library query named {name!r} (see `mlprov query --list`)")
        return found
    return query(name)


def optional_params(q: Query) -> frozenset[str]:
    """Parameters the header marks ``optional``: left out, they are bound to null."""
    return frozenset(_OPTIONAL.findall(q.parameters))


def parse_value(text: str) -> Any:
    """A ``--param`` value: int, float, true/false, null, a JSON list/object or a JSON string in
    double quotes when it looks like one, else the text itself."""
    s = text.strip()
    if _INT.match(s):
        return int(s)
    if _FLOAT.match(s):
        return float(s)
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if s[:1] in '[{"' and s:
        try:
            return json.loads(s)
        except json.JSONDecodeError:
            return text
    return text


def parse_params(pairs: list[str] | None) -> dict[str, Any]:
    """``k=v`` pairs into bound parameters."""
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        key = key.strip().lstrip("$")
        if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            raise QueryError(f"--param expects NAME=VALUE, got {pair!r}")
        params[key] = parse_value(value)
    return params


def bind(q: Query, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters for a named query: optional ones default to null, unknown ones are refused."""
    bound = dict(params)
    unknown = sorted(bound.keys() - q.param_names)
    if unknown:
        raise QueryError(
            f"query {q.name} takes no parameter(s) {', '.join('$' + u for u in unknown)} (it takes: {q.parameters})"
        )
    for name in optional_params(q):
        bound.setdefault(name, None)
    q.check_params(bound)
    return bound


def procedure_modes(wh: Warehouse, names: set[str]) -> dict[str, str]:
    """The mode (READ, WRITE, SCHEMA, DBMS) of each named procedure, from the server."""
    if not names:
        return {}
    rows = wh.read("admin/procedure_modes", names=sorted(names))
    return {str(r["name"]): str(r["mode"]) for r in rows}


def procedures(operations: list[tuple[str, str]]) -> set[str]:
    """Names of the procedures a plan calls."""
    found = set()
    for name, details in operations:
        if name == "ProcedureCall":
            m = _PROCEDURE.match(details)
            found.add(m.group(1).replace("`", "") if m else details)
    return found


def refusal(operations: list[tuple[str, str]], modes: Mapping[str, str]) -> str | None:
    """Why a plan must not run, or None."""
    for name, _ in operations:
        if name in REFUSED_OPERATORS:
            return REFUSED_OPERATORS[name]
    for proc in sorted(procedures(operations)):
        if modes.get(proc, "DBMS") == "DBMS" and proc not in INFORMATIONAL_PROCEDURES:
            return f"procedure {proc} administers the server"
    return None


def run_analyst(
    wh: Warehouse,
    text: str,
    params: Mapping[str, Any] | None = None,
    *,
    limit: int = 1000,
    timeout_s: float = 30.0,
) -> Result:
    """Run analyst Cypher read-only: guard its plan, then a read transaction with limit and timeout."""
    if limit < 1:
        raise QueryError("the row limit must be at least 1")
    bound = dict(params or {})
    operations = wh.plan(text, bound, timeout_s=timeout_s)
    why = refusal(operations, procedure_modes(wh, procedures(operations)))
    if why:
        raise QueryError(f"the query was refused: {why}; analyst queries are read-only")
    columns, rows, truncated = wh.read_text(text, bound, limit=limit, timeout_s=timeout_s)
    return Result(columns, rows, truncated, limit)


def run_named(
    wh: Warehouse,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    limit: int = 1000,
    timeout_s: float = 30.0,
) -> Result:
    """Run a library (or catalog) query by name with bound parameters, read-only."""
    q = resolve(name)
    return run_analyst(wh, q.text, bind(q, params or {}), limit=limit, timeout_s=timeout_s)


# -- the generated list in docs/queries.md -----------------------------------------------------------------
BLOCK = "library-queries"


def library_markdown() -> str:
    """The docs' list of library and analytics queries, rendered from their headers (without markers)."""
    lines = []
    for name, q in {**library(), **analytics()}.items():
        lines.append(f"* **`{name}`** — {q.purpose}")
        lines.append(f"  *Parameters:* {q.parameters}. *Returns:* {q.returns}.")
    return "\n".join(lines)


if __name__ == "__main__":
    page = docgen.DOCS / "queries.md"
    print(f"{page}: {'updated' if docgen.update(page, BLOCK, library_markdown()) else 'already in sync'}")
