"""Graph model versions (issue 22, "Upgrades"): a warehouse written by the previous release's model is
refused by every command with one line saying to run `mlprov migrate`, and `mlprov migrate` brings it to
exactly the graph the current loader writes; a newer warehouse is refused.

The previous release's graph is made honestly from a real load: the fixture stores are loaded (and
their graphlets built) by the current code, then ``_TO_V1`` undoes what graph model 2 added, the exact
inverse of ``cypher/migrate/v1_to_v2.cypher`` and of the version marker: the artifacts' ``pipeline``,
the ``:Warehouse`` node, and the index and constraint that version 1 did not create. What it leaves is
what mlprov wrote before versioning (artifacts without ``pipeline``, no ``:Warehouse`` node).
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from unittest.mock import patch

import pytest

from mlprov.cli import main
from mlprov.db import Warehouse
from mlprov.errors import ModelVersionError
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader import model
from mlprov.loader.load import Loader
from mlprov.loader.migrate import graph_version, require_current_model
from mlprov.locks import store_locks
from mlprov.queries import catalog, query
from tests.conftest import FIXTURES, run_cli
from tests.graphs import whole_graph

STORES = ("sepsis_v4", "drug_windows_localdag_v10")
# test-only: the inverse of graph model 2 (see the module docstring)
_TO_V1 = (
    "MATCH (a:Artifact) REMOVE a.pipeline",
    "MATCH (w:Warehouse) DELETE w",
    "DROP INDEX artifact_pipeline IF EXISTS",
    "DROP CONSTRAINT warehouse_id IF EXISTS",
)
EXIT_MODEL = 10


def _run(wh: Warehouse, *statements: str) -> None:
    for text in statements:
        # no bookmarks: a test before may have replaced the database (bulk import, restore), and a bookmark
        # from the old one would wait for a transaction the new one never had
        wh._driver.execute_query(text, database_=wh.connection.database, bookmark_manager_=None)


def _schema(wh: Warehouse) -> set[str]:
    _, rows, _ = wh.read_text("SHOW INDEXES YIELD name RETURN name", {})
    return {r["name"] for r in rows}


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    paths = []
    for name in STORES:
        shutil.copyfile(FIXTURES / f"{name}.sqlite", tmp_path / f"{name}.sqlite")
        paths.append(tmp_path / f"{name}.sqlite")
    return paths


@pytest.fixture
def current(warehouse: Warehouse, sources: list[Path]) -> tuple[list[str], list[str]]:
    """The fixture stores loaded by this release: the graph as it must be."""
    for path in sources:
        Loader(warehouse).load(path, store=path.stem)
    return whole_graph(warehouse)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``mlprov ARGS`` run in this process through the script's own entry point (``mlprov.cli.main``: its
    one error line and exit code), which saves a process start per command; ``run_cli`` runs the script."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        patch.object(sys, "argv", ["mlprov", *args]),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        pytest.raises(SystemExit) as exited,
    ):
        main()
    code = exited.value.code
    return subprocess.CompletedProcess(
        ["mlprov", *args], code if isinstance(code, int) else 1, stdout.getvalue(), stderr.getvalue()
    )


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("mlprov: error:")]
    assert len(errors) == 1 and lines[-1] == errors[0] and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return errors[0]


def test_the_statements_name_the_warehouse_node_of_the_model() -> None:
    for name in ("load/store_begin", "migrate/version", "migrate/set_version"):
        assert f"(w:{model.WAREHOUSE_LABEL} {{id: '{model.WAREHOUSE_ID}'}})" in query(name).text, name
    # one step per version after the unversioned one, and no other step
    steps = {n for n in catalog() if re.fullmatch(r"migrate/v\d+_to_v\d+", n)}
    assert steps == {f"migrate/v{v}_to_v{v + 1}" for v in range(model.UNVERSIONED, model.MODEL_VERSION)}


def test_an_older_graph_is_refused_by_every_command_then_migrated_to_the_current_graph(
    warehouse: Warehouse, current: tuple[list[str], list[str]], tmp_path: Path, sources: list[Path]
) -> None:
    # with graphlets too: the migration leaves what `mlprov graphlets` derived as it is
    assert build_graphlets(warehouse).graphlets > 0
    current = whole_graph(warehouse)
    # what this release writes: the version node and `pipeline` on artifacts, with its index
    assert graph_version(warehouse) == model.MODEL_VERSION == 2
    _, rows, _ = warehouse.read_text("MATCH (w:Warehouse) RETURN properties(w) AS p", {})
    assert [r["p"] for r in rows] == [{"id": model.WAREHOUSE_ID, "graph_model_version": model.MODEL_VERSION}]
    # every artifact attributed to a :Pipeline context carries its name, as its executions do
    _, rows, _ = warehouse.read_text(
        "MATCH (a:Artifact)-[:IN_CONTEXT]->(p:Pipeline) RETURN a.store AS store, a.pipeline AS got, p.name AS want", {}
    )
    assert {r["store"] for r in rows} == set(STORES)
    assert all(r["got"] == r["want"] for r in rows)
    assert {"artifact_pipeline", "warehouse_id"} <= _schema(warehouse)

    _run(warehouse, *_TO_V1)
    old = whole_graph(warehouse)
    assert old != current and graph_version(warehouse) == 1
    uri = warehouse.connection.uri
    line = (
        f"mlprov: error: the warehouse at {uri} has graph model version 1, "
        f"this mlprov writes {model.MODEL_VERSION}: run `mlprov migrate`"
    )
    uid = next(u for u in (r["uid"] for r in warehouse.read("admin/store_nodes", store=STORES[0])) if ":e:" in u)
    # (`predict` checks the same way once its model file is read; without a trained model, which needs a
    # current graph, it stops earlier, at the missing model)
    commands = [
        ["load", str(sources[0])],
        ["load", str(tmp_path / "new.sqlite")],  # a store not in the graph yet: no mixing either
        ["stores"],
        ["graphlets"],
        ["features"],
        ["train"],
        ["evaluate"],
        ["report", "--out", str(tmp_path / "report")],
        ["query", "pipelines"],
        ["lineage", uid],
        ["live", "--at", "2024-01-01"],
        ["export", "p", "-o", str(tmp_path / "p.json")],
    ]
    shutil.copyfile(FIXTURES / "sepsis_v7.sqlite", tmp_path / "new.sqlite")
    for args in commands:
        proc = _cli(*args)
        assert (proc.returncode, _one_error_line(proc)) == (EXIT_MODEL, line), args
    proc = run_cli("stores")  # and the installed script itself
    assert (proc.returncode, _one_error_line(proc)) == (EXIT_MODEL, line)
    with pytest.raises(ModelVersionError, match="run `mlprov migrate`"):
        require_current_model(warehouse)  # what the app checks when it connects
    with pytest.raises(ModelVersionError):
        Loader(warehouse).load(sources[1], store="other")  # the loader's API refuses too
    assert whole_graph(warehouse) == old, "a refused command changed the graph"
    assert "artifact_pipeline" not in _schema(warehouse)

    dry = _cli("migrate", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert (
        "has graph model version 1; `mlprov migrate` would run:\n  migrate/v1_to_v2: Graph model 1 -> 2" in dry.stdout
    )
    assert whole_graph(warehouse) == old

    done = _cli("migrate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("migrate/v1_to_v2: Graph model 1 -> 2: every :Artifact gets")
    assert f"The warehouse at {uri} is now at graph model version 2 (was 1)." in done.stdout
    assert whole_graph(warehouse) == current
    assert {"artifact_pipeline", "warehouse_id"} <= _schema(warehouse)

    again = _cli("migrate")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"The warehouse at {uri} is already at graph model version 2: nothing to do."
    assert whole_graph(warehouse) == current
    assert _cli("stores").returncode == 0

    # the step itself is idempotent (a migration interrupted before the version was recorded reruns it)
    warehouse.run_batched("migrate/v1_to_v2")
    assert whole_graph(warehouse) == current
    _run(warehouse, "MATCH (w:Warehouse) DELETE w")  # stopped after the step, before recording version 2
    assert graph_version(warehouse) == 1
    assert _cli("migrate").returncode == 0
    assert whole_graph(warehouse) == current


def test_migrate_waits_for_a_load_holding_a_store_lock(
    warehouse: Warehouse, current: tuple[list[str], list[str]]
) -> None:
    _run(warehouse, *_TO_V1)
    old = whole_graph(warehouse)
    with store_locks(warehouse, [STORES[1]], "load"):
        refused = _cli("migrate")  # MLPROV_LOCK_WAIT_SECONDS unset: no wait
    assert refused.returncode == 9
    assert f"store {STORES[1]!r} is locked by `mlprov load`" in _one_error_line(refused)
    assert whole_graph(warehouse) == old
    assert _cli("migrate").returncode == 0
    assert whole_graph(warehouse) == current


def test_a_newer_graph_is_refused_and_an_empty_one_needs_nothing(
    warehouse: Warehouse, current: tuple[list[str], list[str]]
) -> None:
    newer = model.MODEL_VERSION + 1
    warehouse.write("migrate/set_version", version=newer)
    before = whole_graph(warehouse)
    line = (
        f"mlprov: error: the warehouse at {warehouse.connection.uri} has graph model version {newer}, newer than "
        f"the version {model.MODEL_VERSION} this mlprov writes: upgrade mlprov to a release that writes version {newer}"
    )
    for args in (["stores"], ["migrate"], ["migrate", "--dry-run"]):
        proc = _cli(*args)
        assert (proc.returncode, _one_error_line(proc)) == (EXIT_MODEL, line), args
    assert whole_graph(warehouse) == before

    # `reset` works on any model, and leaves an empty warehouse: nothing to migrate, no version written
    assert _cli("reset", "--yes").returncode == 0
    empty = _cli("migrate")
    assert empty.returncode == 0, empty.stderr
    assert "is empty: nothing to migrate" in empty.stdout
    assert whole_graph(warehouse) == ([], [])
    assert graph_version(warehouse) is None
