"""Concurrent jobs on one store (real processes): the store lock lets one write at a time, the second waits
or stops with one line, a dead holder's lock is taken over, and the graph ends exact."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlprov.db import Warehouse
from mlprov.settings import Connection
from tests.conftest import elsewhere_env, run_cli
from tests.graphs import store_graph

STORE = "mlmd-000"


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    exe = str(Path(sys.executable).with_name("mlprov"))
    return subprocess.Popen(
        [exe, *args], env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _holder(wh: Warehouse, proc: subprocess.Popen[str], timeout: float = 120) -> dict[str, object]:
    """Wait until ``proc`` holds the store's lock; its (job, pid)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = wh.read_text("MATCH (l:StoreLock {store: $s}) RETURN l.job AS job, l.pid AS pid", {"s": STORE})[1]
        if rows and rows[0]["pid"] == proc.pid:
            return dict(rows[0])
        assert proc.poll() is None, f"finished before it was seen holding the lock: {proc.communicate()}"
        time.sleep(0.05)
    raise AssertionError("the lock was never taken")


@pytest.fixture
def corpus(tiny_dir: Path, tmp_path: Path) -> Path:
    store = tmp_path / f"{STORE}.sqlite"
    shutil.copyfile(tiny_dir / "stores" / f"{STORE}.sqlite", store)
    return store


@pytest.fixture
def reference(warehouse: Warehouse, corpus: Path, neo4j_connection: Connection, tmp_path: Path) -> object:
    """The graph of a clean load of the store, alone; the warehouse is emptied again afterwards."""
    done = run_cli("load", str(corpus), env=elsewhere_env(neo4j_connection, tmp_path / "ref"))
    assert done.returncode == 0, done.stderr
    graph = store_graph(warehouse, STORE)
    warehouse.run_batched("admin/clear_graph")
    return graph


def test_second_load_and_graphlets_refused_while_a_load_runs(
    warehouse: Warehouse, corpus: Path, reference: object, neo4j_connection: Connection, tmp_path: Path
) -> None:
    env = elsewhere_env(neo4j_connection, tmp_path / "home")
    first = _start(env, "load", str(corpus), "--batch-size", "1")  # a transaction per row: a long load
    assert _holder(warehouse, first)["job"] == "load"
    for args in (("load", str(corpus)), ("graphlets",), ("features",)):
        second = run_cli(*args, env=env)
        errors = [line for line in second.stderr.splitlines() if line.startswith("mlprov: error:")]
        assert second.returncode == 9, (args, second.stderr)
        assert len(errors) == 1 and f"store {STORE!r} is locked by `mlprov load` (pid {first.pid}" in errors[0], args
        assert "Traceback" not in second.stderr
    assert first.wait(timeout=600) == 0, first.communicate()
    assert store_graph(warehouse, STORE) == reference  # the refused jobs changed nothing
    assert warehouse.read_text("MATCH (l:StoreLock) RETURN count(l) AS n", {})[1][0]["n"] == 0  # released
    after = run_cli("graphlets", env=env)
    assert after.returncode == 0, after.stderr


def test_a_waiting_load_runs_after_the_first(
    warehouse: Warehouse, corpus: Path, reference: object, neo4j_connection: Connection, tmp_path: Path
) -> None:
    env = elsewhere_env(neo4j_connection, tmp_path / "home")
    first = _start(env, "load", str(corpus), "--batch-size", "1")  # a transaction per row: a long load
    _holder(warehouse, first)
    second = run_cli("load", str(corpus), env={**env, "MLPROV_LOCK_WAIT_SECONDS": "600"})
    assert first.wait(timeout=600) == 0
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout  # it ran once the first had committed: nothing left to read
    assert store_graph(warehouse, STORE) == reference


def test_the_lock_of_a_killed_load_is_taken_over(
    warehouse: Warehouse, corpus: Path, reference: object, neo4j_connection: Connection, tmp_path: Path
) -> None:
    env = elsewhere_env(neo4j_connection, tmp_path / "home")
    first = _start(env, "load", str(corpus), "--batch-size", "1")  # a transaction per row: a long load
    _holder(warehouse, first)
    time.sleep(0.5)  # somewhere in the middle of its writes
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    held = warehouse.read_text("MATCH (l:StoreLock {store: $s}) RETURN l.pid AS pid", {"s": STORE})[1]
    assert held and held[0]["pid"] == first.pid  # a killed job cannot release its lock
    rerun = run_cli("load", str(corpus), env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert store_graph(warehouse, STORE) == reference
    assert warehouse.read_text("MATCH (l:StoreLock) RETURN count(l) AS n", {})[1][0]["n"] == 0
