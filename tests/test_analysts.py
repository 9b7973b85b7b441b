"""The analysts' docs pages: the generated query list (docs/queries.md) is in sync, and the Python examples
of docs/analysts.md (official driver → pandas, py2neo → pandas) run as written against our real Neo4j 5.26
server."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import py2neo
import pytest
from py2neo.client.bolt import Bolt

from mlprov import docgen
from mlprov.analysis import library as analyst
from mlprov.db import Warehouse
from mlprov.loader.load import Loader
from mlprov.server import ManagedServer
from mlprov.settings import Connection

DOCS = Path(__file__).resolve().parents[1] / "docs"
STORE = "diabetes_localdag_failed_v10"


def test_docs_library_list_in_sync() -> None:
    text = (DOCS / "queries.md").read_text(encoding="utf-8")
    section = docgen.section(text, analyst.BLOCK)
    assert section is not None, "docs/queries.md lacks the generated library block"
    assert section == docgen.wrap(analyst.BLOCK, analyst.library_markdown()), (
        "docs/queries.md is stale: run `python -m mlprov.analysis.library`"
    )
    for name in analyst.library():
        assert f"**`{name}`**" in section


def analysts_examples() -> list[str]:
    section = (DOCS / "analysts.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture
def loaded(
    warehouse: Warehouse, fixture_store: Any, neo4j_connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path: Path = fixture_store(f"{STORE}.sqlite")
    Loader(warehouse).load(str(path), store=STORE)
    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_connection.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    return path


def executions_per_kind(path: Path) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT COUNT(*) FROM Execution").fetchone()[0])
    finally:
        db.close()


def run_example(code: str) -> dict[str, Any]:
    scope: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, "docs/analysts.md", "exec"), scope)  # the documented example, run as written
    return scope


def test_driver_example(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples = analysts_examples()
    assert len(examples) == 2
    scope = run_example(examples[0])
    df, runs = scope["df"], scope["runs"]
    assert isinstance(df, pd.DataFrame) and list(df.columns) == ["store", "kind", "executions"]
    assert int(df["executions"].sum()) == executions_per_kind(loaded)
    assert set(df["store"]) == {STORE}
    assert isinstance(runs, pd.DataFrame)
    assert runs.loc[0, "pipeline"] == "tfx_diabetes_pipeline" and runs.loc[0, "pushes"] == 2
    assert "tfx_diabetes_pipeline" in capsys.readouterr().out


def test_py2neo_example_over_bolt(loaded: Path, neo4j_connection: Connection) -> None:
    scope = run_example(analysts_examples()[1])
    df = scope["df"]
    assert isinstance(df, pd.DataFrame) and list(df.columns) == ["kind", "executions"]
    assert int(df["executions"].sum()) == executions_per_kind(loaded)
    assert dict(zip(df["kind"], df["executions"], strict=True))["Trainer"] == 8
    # what py2neo speaks to Neo4j 5.26: Bolt 4.3 (py2neo 2021.2 knows nothing newer)
    bolt = Bolt.open(
        py2neo.ConnectionProfile(neo4j_connection.uri, auth=(neo4j_connection.user, neo4j_connection.password))
    )
    try:
        assert bolt.protocol_version == (4, 3)
        assert str(bolt.server_agent).startswith("Neo4j/5.26")
    finally:
        bolt.close()


def test_py2neo_http_fails_precisely(neo4j_connection: Connection, mlprov_home: Path) -> None:
    """Documented limitation: py2neo's HTTP transport cannot talk to Neo4j 5.26."""
    status = ManagedServer(mlprov_home).status()
    if not status.running or not status.http_uri:
        pytest.skip("the HTTP port is known only for the managed server")
    # py2neo's HTTP hello checks the credentials with GET /db/data/, the Neo4j 3.x REST root that
    # Neo4j 4+ no longer serves: the server answers 404 and py2neo raises before any query runs.
    with pytest.raises(py2neo.errors.ClientError, match=r"\[Request\.Invalid\] Not Found"):
        py2neo.Graph(status.http_uri, auth=(neo4j_connection.user, neo4j_connection.password))
