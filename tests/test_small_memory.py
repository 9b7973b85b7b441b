"""Issue 24 at small scale: a managed Neo4j whose transactions may use 20 MiB in total
(``db.memory.transaction.total.max``, set through ``MLPROV_NEO4J_TX_MEMORY``).

On it, the code before issue 24 failed the generated `small` corpus the way the paper-scale load
failed: Neo.TransientError.General.MemoryPoolOutOfMemoryError, retried by the driver until the retry
time ran out, exit 4 (`mlprov load` in load/first_executions, `mlprov graphlets` in graphlets/write).
Now every command completes, with the counts an independent SQL count of the MLMD store gives and
the graphlets the generator's manifest says it wrote. A failed load resumes without writing again
what it wrote; commands that meet a store whose load never completed say so in one line.

This module starts its own server (not the session's), so run it on its own or accept a second JVM.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlprov.db import Warehouse
from mlprov.errors import WarehouseError
from mlprov.loader.load import Loader
from mlprov.server import ManagedServer
from mlprov.settings import Connection, resolve_connection
from tests.conftest import run_cli

TX_MEMORY = "20m"
STORE = "mlmd-000"
TABLE_STEPS = [
    "contexts",
    "executions",
    "artifacts",
    "parent_contexts",
    "events",
    "associations",
    "attributions",
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated `small` corpus (seed 0); tests copy its store before changing it."""
    from mlprov.generator import generate

    out = tmp_path_factory.mktemp("small")
    generate(out, "small", seed=0)
    return out


@pytest.fixture(scope="module")
def low_memory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    """A managed server with 20 MiB of transaction memory; MLPROV_HOME points at it meanwhile."""
    home = tmp_path_factory.mktemp("low_memory_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("NEO4J_URI", raising=False)
        mp.setenv("MLPROV_HOME", str(home))
        mp.setenv("MLPROV_NEO4J_TX_MEMORY", TX_MEMORY)
        mp.setenv("MLPROV_NEO4J_HEAP", "1g")
        mp.setenv("MLPROV_NEO4J_PAGECACHE", "512m")
        server = ManagedServer(home)
        server.start()
        try:
            yield resolve_connection()
        finally:
            server.stop()


@pytest.fixture
def wh(low_memory: Connection) -> Iterator[Warehouse]:
    with Warehouse.connect(low_memory) as warehouse:
        warehouse.run_batched("admin/clear_graph")
        yield warehouse


def _sql(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as con:
        return con.execute(sql).fetchall()


def _expected(path: Path) -> dict[str, Any]:
    """What the graph must hold for this MLMD store, counted in SQL (every reference resolves)."""
    one = {
        "executions": "SELECT COUNT(*) FROM Execution",
        "artifacts": "SELECT COUNT(*) FROM Artifact",
        "contexts": "SELECT COUNT(*) FROM Context",
        "events": "SELECT COUNT(*) FROM Event e JOIN Artifact a ON a.id = e.artifact_id "
        "JOIN Execution x ON x.id = e.execution_id",
        "in_context": "SELECT (SELECT COUNT(*) FROM Association s JOIN Execution x ON x.id = s.execution_id "
        "JOIN Context c ON c.id = s.context_id) + (SELECT COUNT(*) FROM Attribution s "
        "JOIN Artifact a ON a.id = s.artifact_id JOIN Context c ON c.id = s.context_id)",
        "child_of": "SELECT COUNT(*) FROM ParentContext",
    }
    out: dict[str, Any] = {k: int(_sql(path, q)[0][0]) for k, q in one.items()}
    out["pipelines"] = dict(
        _sql(
            path,
            "SELECT s.execution_id, MIN(c.name) FROM Association s JOIN Context c ON c.id = s.context_id "
            "JOIN Type t ON t.id = c.type_id WHERE t.name IN ('pipeline', 'system.Pipeline') "
            "GROUP BY s.execution_id",
        )
    )
    return out


def _actual(wh: Warehouse, store: str) -> dict[str, Any]:
    def count(text: str) -> int:
        return int(wh.read_text(text, {"store": store})[1][0]["n"])

    return {
        "executions": count("MATCH (n:Execution {store: $store}) RETURN count(n) AS n"),
        "artifacts": count("MATCH (n:Artifact {store: $store}) RETURN count(n) AS n"),
        "contexts": count("MATCH (n:Context {store: $store}) RETURN count(n) AS n"),
        "events": count("MATCH (:Execution {store: $store})-[r:INPUT|OUTPUT]-() RETURN count(r) AS n"),
        "in_context": count("MATCH (n {store: $store})-[r:IN_CONTEXT]->() RETURN count(r) AS n"),
        "child_of": count("MATCH (n:Context {store: $store})-[r:CHILD_OF]->() RETURN count(r) AS n"),
        "pipelines": {
            r["id"]: r["p"]
            for r in wh.read_text(
                "MATCH (e:Execution {store: $store}) WHERE e.pipeline IS NOT NULL "
                "RETURN e.mlmd_id AS id, e.pipeline AS p",
                {"store": store},
                limit=10**7,
            )[1]
        },
    }


def _store(wh: Warehouse, name: str = STORE) -> dict[str, Any]:
    rows = wh.read("load/store_get", name=name)
    return dict(rows[0]["store"]) if rows else {}


def test_whole_job_and_prune_fit_in_20_mib(wh: Warehouse, small: Path, tmp_path: Path) -> None:
    src = tmp_path / f"{STORE}.sqlite"
    shutil.copyfile(small / "stores" / f"{STORE}.sqlite", src)
    manifest = json.loads((small / "manifest.json").read_text())

    load = run_cli("load", str(src))  # default batch of 20,000 rows: the whole of every table of `small`
    assert load.returncode == 0, load.stderr
    assert _actual(wh, STORE) == _expected(src)
    assert _store(wh)["status"] == "complete"

    built = run_cli("graphlets")
    assert built.returncode == 0, built.stderr
    summary = wh.read("graphlets/summary", store=STORE, pipeline=None)[0]
    assert (summary["graphlets"], summary["pushed"]) == (manifest["graphlets"], manifest["pushed"])
    members = wh.read_text("MATCH (:Graphlet)-[r:CONTAINS]->() RETURN count(r) AS n")[1][0]["n"]
    sizes = wh.read_text("MATCH (g:Graphlet) RETURN sum(g.n_executions + g.n_artifacts) AS n")[1][0]["n"]
    assert members == sizes > 0  # every graphlet got all its members, none twice

    for args in (("features",), ("train",), ("predict", "--limit", "1")):
        done = run_cli(*args)
        assert done.returncode == 0, f"{args}: {done.stderr}"
    predicted = wh.read("predict/read", uids=None, pipeline=None)
    assert len(predicted) == manifest["graphlets"]
    linked = wh.read_text("MATCH ()-[r:NEXT]->() WHERE r.jaccard IS NOT NULL RETURN count(r) AS n")[1][0]["n"]
    assert linked > 0

    # --prune: 2% of the events and 1% of the artifacts (with their events and links) vanish
    with sqlite3.connect(src) as con:
        con.execute("DELETE FROM Artifact WHERE id % 100 = 7")
        con.execute("DELETE FROM Event WHERE id % 50 = 3 OR artifact_id NOT IN (SELECT id FROM Artifact)")
        con.execute("DELETE FROM Attribution WHERE artifact_id NOT IN (SELECT id FROM Artifact)")
    pruned = run_cli("load", str(src), "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "pruned" in pruned.stdout
    assert _actual(wh, STORE) == _expected(src)


def test_batched_statement_halves_its_batch_until_it_fits(wh: Warehouse, small: Path, tmp_path: Path) -> None:
    src = tmp_path / f"{STORE}.sqlite"
    shutil.copyfile(small / "stores" / f"{STORE}.sqlite", src)
    Loader(wh).load(str(src))
    # all of the store's 79,598 elements in one transaction do not fit in 20 MiB: the batch is halved
    wh.run_batched("load/delete_store_nodes", store=STORE, batch=1_000_000)
    left = wh.read_text("MATCH (n {store: $s}) RETURN count(n) AS n", {"s": STORE})[1][0]["n"]
    assert left == 0


class _LostInLastStep(Warehouse):
    """The real warehouse, except that the connection is lost when the post-load derivation starts."""

    def run_batched(self, name: str, /, *, batch: int = 10_000, **params: Any) -> None:
        if name == "load/execution_pipelines":
            raise WarehouseError("cannot reach Neo4j: connection lost (simulated in the last step)")
        super().run_batched(name, batch=batch, **params)


def test_failed_load_resumes_without_rewriting_and_commands_say_it_is_incomplete(
    wh: Warehouse, low_memory: Connection, small: Path, tmp_path: Path
) -> None:
    src = tmp_path / f"{STORE}.sqlite"
    shutil.copyfile(small / "stores" / f"{STORE}.sqlite", src)
    with _LostInLastStep(low_memory) as failing, pytest.raises(WarehouseError, match="last step"):
        Loader(failing).load(str(src))
    stored = _store(wh)
    assert stored["status"] == "loading"
    assert stored["load_steps"] == TABLE_STEPS

    # nothing can be done on an incomplete store: one line that says which, why and what to run
    for args in (("graphlets",), ("features",)):
        skipped = run_cli(*args)
        assert skipped.returncode == 8, skipped.stderr
        line = skipped.stderr.strip().splitlines()[-1]
        assert line == (
            f"mlprov: error: skipped store {STORE!r}: its load never completed (status 'loading'); "
            f"run `mlprov load {src}` again to finish it (what was written is not written again)"
        )

    written = wh.read_text("MATCH (n {store: $s}) RETURN count(n) AS n, max(n.updated) AS u", {"s": STORE})[1]
    report = Loader(wh).load(str(src))
    assert report.resumed
    assert report.steps_done_before == TABLE_STEPS
    assert report.rows == {}  # no node or relationship written again
    assert _store(wh)["status"] == "complete"
    assert "load_steps" not in _store(wh)
    assert _actual(wh, STORE) == _expected(src)
    assert wh.read_text("MATCH (n {store: $s}) RETURN count(n) AS n, max(n.updated) AS u", {"s": STORE})[1] == written

    built = run_cli("graphlets")
    assert built.returncode == 0, built.stderr
    assert "skipped store" not in built.stderr


def test_a_row_too_big_for_the_limit_stops_at_once_with_the_setting_to_raise(
    wh: Warehouse, small: Path, tmp_path: Path
) -> None:
    src = tmp_path / f"{STORE}.sqlite"
    shutil.copyfile(small / "stores" / f"{STORE}.sqlite", src)
    with sqlite3.connect(src) as con:  # one execution property of 24 MB: more than the 20 MiB allowed
        con.execute(
            "UPDATE ExecutionProperty SET string_value = ? WHERE rowid = (SELECT MIN(rowid) FROM ExecutionProperty "
            "WHERE string_value IS NOT NULL)",
            ("x" * 24_000_000,),
        )
    started = time.monotonic()
    failed = run_cli("load", str(src), env={"MLPROV_RETRY_SECONDS": "120"})
    seconds = time.monotonic() - started
    assert failed.returncode == 4
    lines = [ln for ln in failed.stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert len(lines) == 1
    assert "query load/first_executions needs more transaction memory" in lines[0]
    assert "raise db.memory.transaction.total.max" in lines[0]
    assert "MLPROV_NEO4J_TX_MEMORY" in lines[0]
    assert "retried" not in failed.stderr
    assert seconds < 60  # split down to the one row, never retried as is for the 120 s retry time
    stored = _store(wh)
    assert stored["status"] == "loading"
    assert stored["load_steps"] == ["contexts"]
