"""The loader against a real Neo4j and the real MLMD fixture stores."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from mlprov.db import Warehouse
from mlprov.loader.load import Loader
from tests.conftest import FIXTURES, run_cli
from tests.graphs import store_graph

STORES = sorted(p.name for p in FIXTURES.glob("*.sqlite") if p.name != "empty_v10.sqlite")


def sql_counts(path: Path) -> dict[str, int]:
    """Expected graph counts computed independently from the store with SQL."""
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def one(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    both = "FROM Event e JOIN Artifact a ON a.id = e.artifact_id JOIN Execution x ON x.id = e.execution_id"
    counts = {
        "executions": one("SELECT COUNT(*) FROM Execution"),
        "artifacts": one("SELECT COUNT(*) FROM Artifact"),
        "contexts": one("SELECT COUNT(*) FROM Context"),
        "inputs": one(f"SELECT COUNT(*) {both} WHERE e.type IN (2, 3, 5)"),
        "outputs": one(f"SELECT COUNT(*) {both} WHERE e.type IN (1, 4, 6, 7)"),
        "exec_ctx": one(
            "SELECT COUNT(*) FROM Association s JOIN Execution x ON x.id = s.execution_id "
            "JOIN Context c ON c.id = s.context_id"
        ),
        "art_ctx": one(
            "SELECT COUNT(*) FROM Attribution s JOIN Artifact a ON a.id = s.artifact_id "
            "JOIN Context c ON c.id = s.context_id"
        ),
        "pipelines": one("SELECT COUNT(*) FROM Context c JOIN Type t ON t.id = c.type_id WHERE t.name = 'pipeline'"),
        "child_of": one("SELECT COUNT(*) FROM ParentContext") if "ParentContext" in tables else 0,
        "dangling_events": one(
            "SELECT COUNT(*) FROM Event e LEFT JOIN Artifact a ON a.id = e.artifact_id "
            "LEFT JOIN Execution x ON x.id = e.execution_id WHERE a.id IS NULL OR x.id IS NULL"
        ),
    }
    db.close()
    return counts


def graph_counts(wh: Warehouse, store: str) -> dict[str, int]:
    nodes, rels = store_graph(wh, store)
    import json

    parsed_nodes = [json.loads(n) for n in nodes]
    parsed_rels = [json.loads(r) for r in rels]

    def rel(kind: str, prefix: str) -> int:
        return sum(1 for r in parsed_rels if r[1] == kind and r[0].split(":")[1] == prefix)

    return {
        "executions": sum(1 for n in parsed_nodes if "Execution" in n[0]),
        "artifacts": sum(1 for n in parsed_nodes if "Artifact" in n[0]),
        "contexts": sum(1 for n in parsed_nodes if "Context" in n[0]),
        "inputs": rel("INPUT", "a"),
        "outputs": rel("OUTPUT", "e"),
        "exec_ctx": rel("IN_CONTEXT", "e"),
        "art_ctx": rel("IN_CONTEXT", "a"),
        "pipelines": sum(1 for n in parsed_nodes if "Pipeline" in n[0]),
        "child_of": rel("CHILD_OF", "c"),
    }


@pytest.mark.parametrize("name", STORES)
def test_every_fixture_loads_with_the_counts_sql_gives(
    warehouse: Warehouse, fixture_store: Callable[[str], Path], name: str
) -> None:
    path = fixture_store(name)
    expected = sql_counts(path)
    report = Loader(warehouse).load(str(path), store="s")
    got = graph_counts(warehouse, "s")
    assert got == {k: v for k, v in expected.items() if k != "dangling_events"}
    assert report.dangling.get("events", 0) == expected["dangling_events"]
    stored = warehouse.read("load/store_get", name="s")[0]["store"]
    assert stored["status"] == "complete"
    assert stored["n_executions"] == expected["executions"]


def test_reload_is_a_noop_and_changes_nothing(warehouse: Warehouse, fixture_store: Callable[[str], Path]) -> None:
    path = fixture_store("redwine_pushers_v10.sqlite")
    loader = Loader(warehouse)
    loader.load(str(path), store="r")
    before = store_graph(warehouse, "r")
    again = loader.load(str(path), store="r")
    assert again.up_to_date and again.elements == 0
    assert store_graph(warehouse, "r") == before


def test_sepsis_series_loaded_in_order_equals_clean_load_of_last(
    warehouse: Warehouse, fixture_store: Callable[[str], Path]
) -> None:
    loader = Loader(warehouse)
    reports = [loader.load(str(fixture_store(f"sepsis_v{v}.sqlite")), store="sepsis") for v in (1, 4, 7)]
    assert reports[0].rows["executions"] == 9
    # v4 → v7 reads only what is new (executions 67 → 159), plus rows at the watermark instant
    assert reports[2].rows["executions"] <= 159 - 67 + 1
    incremental = store_graph(warehouse, "sepsis")
    warehouse.run_batched("admin/clear_graph")
    Loader(warehouse).load(str(fixture_store("sepsis_v7.sqlite")), store="sepsis")
    clean = store_graph(warehouse, "sepsis")
    assert incremental == clean
    assert len(clean[0]) == 159 + 256 + 334


def test_updated_rows_are_rewritten_on_reload(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    shutil.copyfile(FIXTURES / "sepsis_v1.sqlite", path)
    loader = Loader(warehouse)
    loader.load(str(path), store="s")
    db = sqlite3.connect(path)
    eid = db.execute("SELECT MIN(id) FROM Execution").fetchone()[0]
    at_watermark = db.execute(
        "SELECT COUNT(*) FROM Execution WHERE last_update_time_since_epoch = "
        "(SELECT MAX(last_update_time_since_epoch) FROM Execution)"
    ).fetchone()[0]
    db.execute(
        "UPDATE Execution SET last_known_state = 4, last_update_time_since_epoch = 1999999999999 WHERE id = ?", (eid,)
    )
    db.execute(
        "DELETE FROM ExecutionProperty WHERE execution_id = ? AND name = (SELECT MIN(name) FROM "
        "ExecutionProperty WHERE execution_id = ?)",
        (eid, eid),
    )
    db.commit()
    db.close()
    report = loader.load(str(path), store="s")
    # the changed row, plus the rows stamped at the previous watermark instant (read with >=)
    assert report.rows["executions"] == 1 + at_watermark
    incremental = store_graph(warehouse, "s")
    warehouse.run_batched("admin/clear_graph")
    Loader(warehouse).load(str(path), store="s")
    assert incremental == store_graph(warehouse, "s")
    rows = warehouse.read("admin/store_nodes", store="s")
    state = next(r["props"]["state"] for r in rows if r["uid"] == f"s:e:{eid}")
    assert state == "FAILED"


def test_two_stores_never_collide(warehouse: Warehouse, fixture_store: Callable[[str], Path]) -> None:
    loader = Loader(warehouse)
    loader.load(str(fixture_store("sepsis_v1.sqlite")), store="a")
    loader.load(str(fixture_store("sepsis_v1.sqlite")), store="b")
    nodes_a, _ = store_graph(warehouse, "a")
    nodes_b, _ = store_graph(warehouse, "b")
    assert len(nodes_a) == len(nodes_b) == 9 + 17 + 19
    assert not nodes_a & nodes_b
    listed = run_cli("stores", "--json")
    assert listed.returncode == 0, listed.stderr
    import json

    names = {row["name"]: row for row in json.loads(listed.stdout)}
    assert set(names) == {"a", "b"}
    assert names["a"]["executions"] == 9 and names["a"]["schema_version"] == 8


def test_operator_kinds_and_v5_state_property(warehouse: Warehouse, fixture_store: Callable[[str], Path]) -> None:
    loader = Loader(warehouse)
    loader.load(str(fixture_store("coursera_interactive_v5.sqlite")), store="v5")
    loader.load(str(fixture_store("salary_mixed_dangling_v8.sqlite")), store="custom")
    execs = {
        r["uid"]: r["props"] for r in warehouse.read("admin/store_nodes", store="v5") if "Execution" in r["labels"]
    }
    db = sqlite3.connect(FIXTURES / "coursera_interactive_v5.sqlite")
    sql_states = dict(db.execute("SELECT execution_id, string_value FROM ExecutionProperty WHERE name = 'state'"))
    assert sql_states, "the v5 fixture records states as properties"
    for eid, value in sql_states.items():
        expected = {"complete": "COMPLETE", "cached": "CACHED", "new": "RUNNING"}[value]
        assert execs[f"v5:e:{eid}"]["state"] == expected
    kinds = {
        (p["type_short"], p["kind"])
        for r in warehouse.read("admin/store_nodes", store="custom")
        if "Execution" in r["labels"]
        for p in [r["props"]]
    }
    assert ("MyTrainerComponent", "Trainer") in kinds
    assert ("CsvExampleGen", "ExampleGen") in kinds
    stages = {
        p["kind"]: (p["stage"], p["category"])
        for r in warehouse.read("admin/store_nodes", store="custom")
        if "Execution" in r["labels"]
        for p in [r["props"]]
    }
    assert stages["Trainer"] == ("training", "trainer")
    assert stages["ExampleGen"] == ("ingest", "pre-trainer")
