"""Bad input: one clear line naming the source and the problem, exit ≠ 0, nothing written."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from mlprov.db import Warehouse
from tests.conftest import FIXTURES, run_cli
from tests.graphs import store_graph


def _truncated(tmp: Path) -> Path:
    path = tmp / "truncated.sqlite"
    data = (FIXTURES / "redwine_pushers_v10.sqlite").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _random_bytes(tmp: Path) -> Path:
    path = tmp / "random.sqlite"
    path.write_bytes(os.urandom(64 * 1024))
    return path


def _plain_sqlite(tmp: Path) -> Path:
    path = tmp / "plain.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    db.commit()
    db.close()
    return path


def _version(tmp: Path, version: int) -> Path:
    path = tmp / f"v{version}.sqlite"
    shutil.copyfile(FIXTURES / "sepsis_v1.sqlite", path)
    db = sqlite3.connect(path)
    db.execute("UPDATE MLMDEnv SET schema_version = ?", (version,))
    db.commit()
    db.close()
    return path


def _dropped_table(tmp: Path) -> Path:
    path = tmp / "noevents.sqlite"
    shutil.copyfile(FIXTURES / "sepsis_v1.sqlite", path)
    db = sqlite3.connect(path)
    db.execute("DROP TABLE Event")
    db.commit()
    db.close()
    return path


def _empty_file(tmp: Path) -> Path:
    path = tmp / "zero.sqlite"
    path.write_bytes(b"")
    return path


def _empty_store(tmp: Path) -> Path:
    path = tmp / "empty_v10.sqlite"
    shutil.copyfile(FIXTURES / "empty_v10.sqlite", path)
    return path


def _empty_dir(tmp: Path) -> Path:
    path = tmp / "nothing_here"
    path.mkdir()
    return path


CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("missing", lambda t: t / "nope.sqlite", "no such file"),
    ("empty-dir", _empty_dir, "directory holds no .sqlite/.db files"),
    ("zero-bytes", _empty_file, "empty file"),
    ("random-bytes", _random_bytes, "not an SQLite database"),
    ("plain-sqlite", _plain_sqlite, "not an MLMD store (no MLMDEnv table)"),
    ("truncated", _truncated, "truncated SQLite file"),
    ("schema-v4", lambda t: _version(t, 4), "MLMD schema version 4 is not supported"),
    ("schema-v11", lambda t: _version(t, 11), "MLMD schema version 11 is not supported"),
    ("dropped-table", _dropped_table, "lacks table(s) Event"),
    ("empty-store", _empty_store, "MLMD store is empty"),
]


@pytest.mark.parametrize(("case", "make", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_source_is_one_clear_line_and_writes_nothing(
    warehouse: Warehouse, tmp_path: Path, case: str, make: Callable[[Path], Path], message: str
) -> None:
    good = tmp_path / "good.sqlite"
    shutil.copyfile(FIXTURES / "sepsis_v1.sqlite", good)
    assert run_cli("load", str(good), "--store-name", "kept").returncode == 0
    before = store_graph(warehouse, "kept")
    bad = make(tmp_path)
    # a good source beside a bad one: the bad one is found before anything is written
    proc = run_cli("load", str(good), str(bad))
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert len(errors) == 1, proc.stderr
    assert str(bad) in errors[0] and message in errors[0], errors[0]
    assert "Traceback" not in proc.stderr
    assert store_graph(warehouse, "kept") == before
    assert [r["name"] for r in warehouse.read("load/stores")] == ["kept"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@127.0.0.1:1/mlmd", "cannot open the MySQL store"),
        ("mysql://root:s3cret-pw@127.0.0.1:1/mlmd", "cannot open the MySQL store"),
        ("mysql://127.0.0.1", "a MySQL source is mysql://"),
    ],
)
def test_bad_mysql_url_is_one_clear_line(warehouse: Warehouse, url: str, message: str) -> None:
    proc = run_cli("load", url)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert len(errors) == 1 and message in errors[0], proc.stderr
    assert "s3cret-pw" not in proc.stderr + proc.stdout
    assert warehouse.read("load/stores") == []
