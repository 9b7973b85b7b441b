"""Shared fixtures: one real Neo4j server per test session, a clean graph per test.

With ``NEO4J_URI`` set the tests use that server (its data is wiped between tests!); otherwise the
managed server is started in a temporary ``MLPROV_HOME`` and stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# pytest-xdist's workers set COLUMNS=80 (and LINES); a user's pipe has neither, and the CLI's piped output
# is what the tests read
for _var in ("COLUMNS", "LINES"):
    os.environ.pop(_var, None)

from mlprov.db import Warehouse  # noqa: E402
from mlprov.server import ManagedServer  # noqa: E402
from mlprov.settings import Connection, resolve_connection  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "mlmd"
if not FIXTURES.exists():
    FIXTURES = Path(os.environ.get("MLPROV_FIXTURES", "../shared/fixtures/mlmd")).resolve()
if not any(FIXTURES.glob("*.sqlite")):
    # every fixture-driven test would otherwise collect nothing or skip: fail the session instead
    raise pytest.UsageError(f"no MLMD fixture stores (*.sqlite) in {FIXTURES}: set MLPROV_FIXTURES")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated `tiny` corpus (seed 0), written once per session; tests only read it."""
    from mlprov.generator import generate

    out = tmp_path_factory.mktemp("tiny")
    generate(out, "tiny", seed=0)
    return out


# Every server the tests start (the session's and the tests' own) is small: several run at once.
os.environ.setdefault("MLPROV_NEO4J_HEAP", "1g")
os.environ.setdefault("MLPROV_NEO4J_PAGECACHE", "1g")


@pytest.fixture(scope="session")
def mlprov_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("mlprov_home")
    os.environ["MLPROV_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def neo4j_connection(mlprov_home: Path) -> Iterator[Connection]:
    if os.environ.get("NEO4J_URI"):
        yield resolve_connection()
        return
    server = ManagedServer(mlprov_home)
    server.start()
    try:
        yield resolve_connection()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _session_warehouse(neo4j_connection: Connection) -> Iterator[Warehouse]:
    with Warehouse.connect(neo4j_connection) as wh:
        yield wh


@pytest.fixture
def warehouse(_session_warehouse: Warehouse) -> Warehouse:
    """The warehouse, emptied before the test."""
    _session_warehouse.run_batched("admin/clear_graph")
    return _session_warehouse


@pytest.fixture
def fixture_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a read-only fixture store into the test's temp dir and return the copy's path."""

    def copy(name: str) -> Path:
        dst = tmp_path / name
        shutil.copyfile(FIXTURES / name, dst)
        return dst

    return copy


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real `mlprov` CLI in a subprocess, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    exe = Path(sys.executable).with_name("mlprov")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env, timeout=timeout, check=False)


def elsewhere_env(conn: Connection, home: Path) -> dict[str, str]:
    """Environment for a CLI run against the session's Neo4j but with its own ``MLPROV_HOME`` (own
    models, reports, operator mapping), so nothing it saves leaks into other tests."""
    return {
        "MLPROV_HOME": str(home),
        "NEO4J_URI": conn.uri,
        "NEO4J_USER": conn.user,
        "NEO4J_PASSWORD": conn.password,
        "NEO4J_DATABASE": conn.database,
    }
