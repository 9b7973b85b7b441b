"""Backups of the managed server: `mlprov neo4j dump FILE` and `mlprov neo4j restore FILE --yes` round-trip
the warehouse exactly (neo4j-admin database dump / load), on a server of the test's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlprov.db import Warehouse
from mlprov.settings import resolve_connection
from tests.conftest import FIXTURES, run_cli
from tests.graphs import store_graph

STORE = "sepsis_v7"


def test_dump_and_restore_round_trip_the_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"MLPROV_HOME": str(tmp_path / "home"), "NEO4J_URI": "", "NEO4J_PASSWORD": ""}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("NEO4J_URI")
    source = tmp_path / f"{STORE}.sqlite"
    shutil.copyfile(FIXTURES / f"{STORE}.sqlite", source)
    assert run_cli("neo4j", "start", env=env).returncode == 0
    try:
        loaded = run_cli("load", str(source), env=env)
        assert loaded.returncode == 0, loaded.stderr
        with Warehouse.connect(resolve_connection()) as wh:
            before = store_graph(wh, STORE)
            stores_before = wh.read("load/stores")
        assert before[0] and before[1]

        dump = tmp_path / "backups" / "warehouse.dump"
        # a narrow terminal setting (COLUMNS) wraps tables, never the path a script reads from the message
        dumped = run_cli("neo4j", "dump", str(dump), env={**env, "COLUMNS": "40"})
        assert dumped.returncode == 0, dumped.stderr
        assert dump.stat().st_size > 0 and f"Dumped the warehouse to {dump}" in dumped.stdout
        again = run_cli("neo4j", "dump", str(dump), env=env)  # never overwritten
        assert again.returncode == 3 and "already exists" in again.stderr and "Traceback" not in again.stderr

        assert run_cli("reset", "--yes", env=env).returncode == 0
        with Warehouse.connect(resolve_connection()) as wh:
            assert store_graph(wh, STORE) == (set(), set())

        refused = run_cli("neo4j", "restore", str(dump), env=env)
        assert refused.returncode == 2 and "--yes" in refused.stderr
        missing = run_cli("neo4j", "restore", str(tmp_path / "nope.dump"), "--yes", env=env)
        assert missing.returncode == 3 and "no such dump file" in missing.stderr
        restored = run_cli("neo4j", "restore", str(dump), "--yes", env=env)
        assert restored.returncode == 0, restored.stderr
        with Warehouse.connect(resolve_connection()) as wh:
            assert store_graph(wh, STORE) == before
            assert wh.read("load/stores") == stores_before
        # the restored warehouse keeps working incrementally: reloading the same store is a no-op
        reload = run_cli("load", str(source), env=env)
        assert reload.returncode == 0 and "up to date" in reload.stdout, reload.stdout + reload.stderr
    finally:
        run_cli("neo4j", "stop", env=env)
