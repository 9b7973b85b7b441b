"""MySQL sources as production keeps them: a MariaDB that checks its grant tables, a password-protected
user, real stores of hundreds of nodes (the fixture stores' rows copied into an MLMD schema that
ml-metadata created in MySQL), an incremental reload of a growing store, --prune and --replace.
Every MySQL load must give exactly the graph of the same store loaded from SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pymysql
import pytest
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

from mlprov.db import Warehouse
from mlprov.loader.load import Loader
from tests.conftest import FIXTURES, run_cli
from tests.graphs import store_graph
from tests.mariadb import create_user, mariadb_server

USER, PASSWORD = "mlprov", "pw-9f3c/1e@7b"  # '/' and '@' must survive the URL (percent-encoded)
DATABASES = ["mlmd", "other"]
TABLES = [
    "Type",
    "TypeProperty",
    "ParentType",
    "Artifact",
    "ArtifactProperty",
    "Execution",
    "ExecutionProperty",
    "Event",
    "EventPath",
    "Context",
    "ContextProperty",
    "ParentContext",
    "Association",
    "Attribution",
]


@pytest.fixture(scope="module")
def mysql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    workdir = tmp_path_factory.mktemp("mariadb_grants")
    with mariadb_server(workdir, grants=True) as port:
        create_user(workdir, USER, PASSWORD, DATABASES)
        for db in DATABASES:  # ml-metadata creates its schema through the password-protected user
            config = pb.ConnectionConfig()
            config.mysql.host, config.mysql.port, config.mysql.database = "127.0.0.1", port, db
            config.mysql.user, config.mysql.password = USER, PASSWORD
            metadata_store.MetadataStore(config)
        yield port


def url(port: int, db: str = "mlmd") -> str:
    return f"mysql://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/{db}"


def connect(port: int, db: str) -> Any:
    return pymysql.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD, database=db, autocommit=False)


def fill(port: int, db: str, sqlite_path: Path) -> None:
    """Make the MySQL store hold exactly the rows of the SQLite store (every MLMD table, same ids)."""
    src = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    conn = connect(port, db)
    try:
        cur = conn.cursor()
        for table in TABLES:
            cur.execute(f"DELETE FROM `{table}`")  # noqa: S608 (the fixed MLMD table names)
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            rows = src.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()  # noqa: S608
            if rows:
                names = ", ".join(f"`{c}`" for c in cols)
                marks = ", ".join(["%s"] * len(cols))
                cur.executemany(f"INSERT INTO `{table}` ({names}) VALUES ({marks})", rows)  # noqa: S608
        conn.commit()
    finally:
        conn.close()
        src.close()


def sqlite_graph(wh: Warehouse, path: Path, store: str) -> tuple[set[str], set[str]]:
    """The graph of a clean load of the SQLite store (the warehouse is emptied first and after)."""
    wh.run_batched("admin/clear_graph")
    Loader(wh).load(str(path), store=store)
    graph = store_graph(wh, store)
    wh.run_batched("admin/clear_graph")
    return graph


def delete_newest(path: Path | None, port: int | None, executions: int) -> int:
    """Delete the newest executions with their events, associations and properties, in SQLite or MySQL;
    return the number of events deleted."""
    conn: Any = sqlite3.connect(path) if path else connect(port or 0, "mlmd")
    mark = "?" if path else "%s"
    cur = conn.cursor()
    cur.execute(f"SELECT id FROM Execution ORDER BY id DESC LIMIT {int(executions)}")  # noqa: S608
    events = 0
    for (eid,) in cur.fetchall():
        cur.execute(f"SELECT COUNT(*) FROM Event WHERE execution_id = {mark}", (eid,))  # noqa: S608
        events += cur.fetchone()[0]
        for table in ("EventPath", "Event", "Association", "ExecutionProperty", "Execution"):
            if table == "EventPath":
                cur.execute(
                    f"DELETE FROM EventPath WHERE event_id IN (SELECT id FROM Event WHERE execution_id = {mark})",  # noqa: S608
                    (eid,),
                )
            else:
                column = "id" if table == "Execution" else "execution_id"
                cur.execute(f"DELETE FROM {table} WHERE {column} = {mark}", (eid,))  # noqa: S608
    conn.commit()
    conn.close()
    return int(events)


def executions(wh: Warehouse, store: str) -> int:
    return sum(1 for n in wh.read("admin/store_nodes", store=store) if "Execution" in n["labels"])


def test_password_protected_growing_store_reload_and_prune(warehouse: Warehouse, mysql: int, tmp_path: Path) -> None:
    v4, v7 = FIXTURES / "sepsis_v4.sqlite", FIXTURES / "sepsis_v7.sqlite"
    expect_v4, expect_v7 = sqlite_graph(warehouse, v4, "sepsis"), sqlite_graph(warehouse, v7, "sepsis")
    assert len(expect_v4[0]) > 100 and len(expect_v7[0]) > len(expect_v4[0])

    fill(mysql, "mlmd", v4)
    first = run_cli("load", url(mysql), "--store-name", "sepsis")
    assert first.returncode == 0, first.stderr
    assert store_graph(warehouse, "sepsis") == expect_v4
    # the password is in no output and not in the graph: the source is recorded redacted
    source = warehouse.read("load/store_get", name="sepsis")[0]["store"]["source"]
    assert source == f"mysql://{USER}:***@127.0.0.1:{mysql}/mlmd"
    assert PASSWORD not in first.stdout + first.stderr and quote(PASSWORD, safe="") not in first.stdout + first.stderr

    # the store grows (v4 -> v7 rows): a reload reads only what is new and equals a clean v7 load
    fill(mysql, "mlmd", v7)
    grown = Loader(warehouse).load(url(mysql), store="sepsis")
    assert grown.rows["executions"] <= 159 - 67 + 1
    assert store_graph(warehouse, "sepsis") == expect_v7
    assert Loader(warehouse).load(url(mysql), store="sepsis").up_to_date

    # two executions vanish from MySQL: kept without --prune, removed with it, exactly as in SQLite
    events = delete_newest(None, mysql, 2)
    assert run_cli("load", url(mysql), "--store-name", "sepsis").returncode == 0
    assert executions(warehouse, "sepsis") == 159
    pruned = Loader(warehouse).load(url(mysql), store="sepsis", prune=True)
    assert pruned.pruned == 2 + events
    assert executions(warehouse, "sepsis") == 157
    after = store_graph(warehouse, "sepsis")
    twin = tmp_path / "sepsis_pruned.sqlite"
    twin.write_bytes(v7.read_bytes())
    assert delete_newest(twin, None, 2) == events
    assert after == sqlite_graph(warehouse, twin, "sepsis")


def test_replace_on_mysql_and_wrong_password(warehouse: Warehouse, mysql: int) -> None:
    first, second = FIXTURES / "sepsis_v1.sqlite", FIXTURES / "diabetes_localdag_failed_v10.sqlite"
    expected = sqlite_graph(warehouse, second, "m")
    fill(mysql, "mlmd", first)
    fill(mysql, "other", second)
    assert run_cli("load", url(mysql), "--store-name", "m").returncode == 0
    before = store_graph(warehouse, "m")
    # another store under the same name: refused, nothing changed
    refused = run_cli("load", url(mysql, "other"), "--store-name", "m")
    assert refused.returncode != 0 and "use --replace" in refused.stderr
    assert store_graph(warehouse, "m") == before
    replaced = run_cli("load", url(mysql, "other"), "--store-name", "m", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert store_graph(warehouse, "m") == expected
    # a wrong password: one line naming the (redacted) source, exit 5, nothing loaded
    bad = url(mysql).replace(quote(PASSWORD, safe=""), "not-the-password")
    res = run_cli("load", bad, "--store-name", "wrong")
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert res.returncode == 5 and len(errors) == 1 and "Traceback" not in res.stderr, res.stderr
    assert f"mysql://{USER}:***@127.0.0.1:{mysql}/mlmd" in errors[0] and "Access denied" in errors[0]
    assert "not-the-password" not in res.stdout + res.stderr
    assert not warehouse.read("load/store_get", name="wrong")
