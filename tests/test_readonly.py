"""`mlprov query` is read-only: write and admin statements are refused, parameters are bound.

Writes are refused by the server (the query runs in a read transaction). Operations a read
transaction lets through on Neo4j Community (every user is an admin there) are refused from the
server's own plan of the statement (``mlprov.analysis.library``): LOAD CSV, TERMINATE TRANSACTIONS and
DBMS-mode procedures. Each case checks that the graph, its schema and the users are unchanged.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from mlprov import cli
from mlprov.db import Warehouse
from mlprov.errors import QueryError
from mlprov.loader.load import Loader
from mlprov.settings import Connection
from tests.graphs import store_graph

STORE = "diabetes_localdag_failed_v10"

WRITES = [
    "CREATE (n:Evil) RETURN n",
    "MERGE (n:Evil {x: 1}) RETURN n",
    "MATCH (n:Execution) WITH n LIMIT 1 SET n.evil = 1 RETURN n",
    "MATCH (n:Execution) SET n:Evil",
    "MATCH (n:Artifact) WITH n LIMIT 1 DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Execution) WITH n LIMIT 1 REMOVE n.kind RETURN n",
    "MATCH (n:Execution) REMOVE n:Execution",
    "MATCH (a:Artifact), (e:Execution) WITH a, e LIMIT 1 CREATE (a)-[:EVIL]->(e)",
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Evil {line: row[0]})",
    "CREATE INDEX evil FOR (n:Evil) ON (n.x)",
    "CREATE CONSTRAINT evil FOR (n:Evil) REQUIRE n.x IS UNIQUE",
    "CREATE FULLTEXT INDEX evil_text FOR (n:Evil) ON EACH [n.x]",
    "DROP INDEX execution_kind",
    "DROP CONSTRAINT execution_uid",
    "CALL db.createLabel('Evil')",
    "CALL db.createProperty('evil')",
    "CALL db.createRelationshipType('EVIL')",
    "CALL db.index.vector.createNodeIndex('evil_vec', 'Evil', 'v', 2, 'cosine')",
    "MATCH (n:Execution) WITH n LIMIT 1 CALL db.create.setNodeVectorProperty(n, 'v', [1.0, 2.0]) RETURN 1",
    "CALL dbms.upgrade()",
    "CALL { CREATE (:Evil) } RETURN 1 AS one",
    "CALL () { MATCH (n:Execution) SET n.evil = true RETURN count(n) AS c } RETURN c",
    "MATCH (n:Execution) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS",
    "UNWIND range(1, 3) AS i CALL (i) { CREATE (:Evil {i: i}) } IN TRANSACTIONS OF 1 ROW",
    "FOREACH (i IN range(1, 3) | CREATE (:Evil {i: i}))",
    "MATCH (n:Execution) WITH collect(n) AS ns FOREACH (x IN ns | SET x.evil = 1)",
    "CREATE USER evil SET PASSWORD 'evil-password-1'",
    "ALTER CURRENT USER SET PASSWORD FROM 'nope' TO 'evil-password-2'",
    "CREATE DATABASE evil",
    "STOP DATABASE neo4j",
]
# Let through by a read transaction on Community; refused from the statement's plan.
ADMIN = [
    ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD CSV"),
    ("LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row", "LOAD CSV"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE TRANSACTIONS"),
    ("CALL dbms.killConnections(['bolt-1'])", "dbms.killConnections"),
    ("CALL dbms.killConnection('bolt-1')", "dbms.killConnection"),
    ("CALL db.clearQueryCaches()", "db.clearQueryCaches"),
    ("CALL dbms.listConfig() YIELD name RETURN name", "dbms.listConfig"),
    ("CALL `dbms`.`killConnections`(['bolt-1'])", "dbms.killConnections"),
    ("CALL () { CALL dbms.killConnections(['bolt-1']) YIELD message RETURN message } RETURN message", "dbms.kill"),
    ("MATCH (n:Execution) WITH n LIMIT 1 /* hide */ CALL db.clearQueryCaches() YIELD value RETURN value", "db.clear"),
]


@pytest.fixture
def loaded(warehouse: Warehouse, fixture_store: Any) -> Warehouse:
    Loader(warehouse).load(str(fixture_store(f"{STORE}.sqlite")), store=STORE)
    return warehouse


@pytest.fixture
def system(neo4j_connection: Connection) -> Iterator[neo4j.Driver]:
    with neo4j.GraphDatabase.driver(
        neo4j_connection.uri, auth=(neo4j_connection.user, neo4j_connection.password)
    ) as driver:
        yield driver


def state(wh: Warehouse, driver: neo4j.Driver) -> dict[str, Any]:
    """Everything a write could change: the store's graph, totals, schema, users, databases."""
    nodes, rels = store_graph(wh, STORE)
    _, totals, _ = wh.read_text("MATCH (n) RETURN count(n) AS nodes, COUNT { ()-[]->() } AS rels")
    _, schema, _ = wh.read_text("SHOW INDEXES YIELD name, type RETURN collect(name + ':' + type) AS names")
    users = driver.execute_query("SHOW USERS YIELD user RETURN collect(user) AS users", database_="system")
    dbs = driver.execute_query(
        "SHOW DATABASES YIELD name, currentStatus RETURN collect(name + ':' + currentStatus) AS dbs",
        database_="system",
    )
    return {
        "nodes": nodes,
        "rels": rels,
        "totals": totals,
        "schema": sorted(schema[0]["names"]),
        "users": sorted(users.records[0]["users"]),
        "dbs": sorted(dbs.records[0]["dbs"]),
    }


def mlprov(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the real `mlprov` entry point in-process (the corpus is long; a subprocess each is slow)."""
    argv = sys.argv
    sys.argv = ["mlprov", *args]
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_writes_refused_by_the_server(
    loaded: Warehouse, system: neo4j.Driver, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(loaded, system)
    for statement in WRITES:
        code, _, err = mlprov(capsys, "query", statement)
        assert code != 0, statement
        last = err.strip().splitlines()[-1]
        assert last.startswith("mlprov: error:") and "Traceback" not in err, (statement, err)
        # LOAD CSV is refused from its plan before it runs; Community refuses database administration
        # already when planning it; everything else is refused by the read transaction.
        assert any(
            why in last
            for why in (
                "refused: writes are not allowed in a read session (Neo.ClientError.Statement.AccessMode)",
                "refused: LOAD CSV",
                "Neo.ClientError.Statement.UnsupportedAdministrationCommand",
            )
        ), (statement, last)
        assert state(loaded, system) == before, statement


def test_server_itself_refuses_every_write(loaded: Warehouse, system: neo4j.Driver) -> None:
    """The same corpus straight into the read transaction, without the plan guard."""
    before = state(loaded, system)
    for statement in WRITES:
        with pytest.raises(QueryError, match=r"Neo\.ClientError\.Statement\.AccessMode"):
            loaded.read_text(statement)
        assert state(loaded, system) == before, statement


def test_admin_operations_refused(loaded: Warehouse, system: neo4j.Driver, capsys: pytest.CaptureFixture[str]) -> None:
    before = state(loaded, system)
    for statement, needle in ADMIN:
        code, _, err = mlprov(capsys, "query", statement)
        assert code == 6, (statement, err)
        last = err.strip().splitlines()[-1]
        assert "refused" in last and needle in last, (statement, last)
        assert state(loaded, system) == before, statement


def test_other_transactions_survive_terminate_and_kill(
    loaded: Warehouse, system: neo4j.Driver, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the plan guard an analyst's read transaction could kill a running load (measured)."""
    with system.session() as session:
        tx = session.begin_transaction()
        tx.run("MATCH (n:Execution) WITH n LIMIT 1 SET n.victim = true").consume()
        listed = loaded.read_text("SHOW TRANSACTIONS YIELD transactionId, connectionId, currentQuery")[1]
        victims = [r for r in listed if "SHOW TRANSACTIONS" not in str(r["currentQuery"])]
        assert victims
        ids = json.dumps([r["transactionId"] for r in victims])
        conns = json.dumps([r["connectionId"] for r in victims])
        assert mlprov(capsys, "query", "TERMINATE TRANSACTIONS $ids", "-p", f"ids={ids}")[0] == 6
        assert mlprov(capsys, "query", "CALL dbms.killConnections($ids)", "-p", f"ids={conns}")[0] == 6
        tx.run("MATCH (n:Execution) WHERE n.victim RETURN count(n)").consume()
        tx.rollback()


def test_reads_still_work(loaded: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    for statement in (
        "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
        "CALL db.labels() YIELD label RETURN label",
        "SHOW INDEXES YIELD name RETURN name",
        "MATCH (e:Execution) RETURN e.kind AS kind, count(*) AS n",
    ):
        code, out, err = mlprov(capsys, "query", statement, "--format", "json")
        assert code == 0, (statement, err)
        assert json.loads(out)


INJECTIONS = [
    "' OR 1=1 //",
    '"}) DETACH DELETE n //',
    "x'}) MATCH (n) DETACH DELETE n //",
    "tfx_diabetes_pipeline' OR '1'='1",
    "$pipeline",
    "`Execution`) DETACH DELETE n //",
]


def test_injection_shaped_parameters_are_bound(
    loaded: Warehouse, system: neo4j.Driver, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = state(loaded, system)
    for value in INJECTIONS:
        for args in (
            ("pipeline_runs", "-p", f"pipeline={value}"),
            ("pipeline_trace", "-p", f"pipeline={value}", "-p", f"store={value}"),
            ("pipelines", "-p", f"store={value}"),
            ("graphlet", "-p", f"uid={value}"),
            ("MATCH (e:Execution) WHERE e.pipeline = $p RETURN count(e) AS n", "-p", f"p={value}"),
        ):
            code, out, err = mlprov(capsys, "query", *args, "--format", "json")
            assert code == 0, (args, err)
            rows = json.loads(out)
            assert rows == [] or rows == [{"n": 0}], (args, rows)
        code, _, err = mlprov(capsys, "lineage", value)
        assert code == 6 and "no execution or artifact" in err
        code, _, err = mlprov(capsys, "export", value, "-o", str(tmp_path / "x.json"))
        assert code == 6 and "no pipeline named" in err
        assert state(loaded, system) == before, value
    # the genuine value still matches: the parameter really is used
    code, out, _ = mlprov(capsys, "query", "pipeline_runs", "-p", "pipeline=tfx_diabetes_pipeline", "-f", "json")
    assert code == 0 and len(json.loads(out)) == 8
