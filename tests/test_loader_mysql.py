"""A MySQL-backed MLMD store (as Kubeflow keeps it) loads exactly like its SQLite twin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

from mlprov.db import Warehouse
from mlprov.loader.load import Loader
from tests.conftest import run_cli
from tests.mariadb import mariadb_server
from tests.test_loader_roundtrip import open_store, write_trace

TIME_KEYS = {"created", "updated", "time", "cost"}


@pytest.fixture(scope="module")
def mysql_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with mariadb_server(tmp_path_factory.mktemp("mariadb")) as port:
        yield port


def new_mlmd_store(port: int, database: str) -> metadata_store.MetadataStore:
    """An empty MLMD store in a new database of the MariaDB server, opened with the official API as root."""
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root")
    conn.cursor().execute(f"CREATE DATABASE {database}")
    conn.close()
    config = pb.ConnectionConfig()
    config.mysql.host, config.mysql.port = "127.0.0.1", port
    config.mysql.database, config.mysql.user = database, "root"
    return metadata_store.MetadataStore(config)


def _normalised(wh: Warehouse, store: str) -> tuple[list[Any], list[Any]]:
    """Nodes and relationships without the wall-clock values two separate writes cannot share."""
    nodes = sorted(
        (r["uid"], sorted(r["labels"]), sorted((k, repr(v)) for k, v in r["props"].items() if k not in TIME_KEYS))
        for r in wh.read("admin/store_nodes", store=store)
    )
    rels = sorted(
        (r["source"], r["type"], r["target"], sorted((k, repr(v)) for k, v in r["props"].items() if k not in TIME_KEYS))
        for r in wh.read("admin/store_relationships", store=store)
    )
    return nodes, rels


def test_mysql_store_loads_like_its_sqlite_twin(warehouse: Warehouse, mysql_port: int, tmp_path: Path) -> None:
    mysql_ids = write_trace(new_mlmd_store(mysql_port, "mlmd_twin"))
    sqlite_path = tmp_path / "twin.sqlite"
    sqlite_ids = write_trace(open_store(sqlite_path))
    assert mysql_ids == sqlite_ids

    url = f"mysql://root@127.0.0.1:{mysql_port}/mlmd_twin"
    proc = run_cli("load", url, "--store-name", "twin")
    assert proc.returncode == 0, proc.stderr
    from_mysql = _normalised(warehouse, "twin")
    stores = warehouse.read("load/stores")
    assert stores[0]["source"] == url and stores[0]["schema_version"] == 10
    warehouse.run_batched("admin/clear_graph")
    Loader(warehouse).load(str(sqlite_path), store="twin")
    from_sqlite = _normalised(warehouse, "twin")
    assert from_mysql == from_sqlite
    assert len(from_mysql[0]) == 6 and len(from_mysql[1]) == 12
    again = run_cli("load", url, "--store-name", "twin2")
    assert again.returncode == 0


def test_mysql_store_bulk_loads_like_the_transactional_load(
    warehouse: Warehouse, mysql_port: int, tmp_path: Path
) -> None:
    """`mlprov load --bulk` streams a MySQL store's tables to the importer like a SQLite store's: the same
    graph as the transactional load of that store, and a plain load afterwards finds it up to date."""
    write_trace(new_mlmd_store(mysql_port, "mlmd_bulk"))
    url = f"mysql://root@127.0.0.1:{mysql_port}/mlmd_bulk"

    warehouse.run_batched("admin/clear_graph")
    proc = run_cli("load", url, "--store-name", "kf")
    assert proc.returncode == 0, proc.stderr
    transactional = _normalised(warehouse, "kf")
    warehouse.run_batched("admin/clear_graph")
    proc = run_cli("load", "--bulk", url, "--store-name", "kf", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _normalised(warehouse, "kf") == transactional
    stored = warehouse.read("load/store_get", name="kf")[0]["store"]
    assert stored["status"] == "complete" and stored["source"] == url
    again = run_cli("load", url, "--store-name", "kf")
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout[-2000:]
