"""The analysts' query library and `mlprov query`, checked against SQL on the same MLMD stores."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlprov.analysis import library as analyst
from mlprov.db import Warehouse
from mlprov.errors import QueryError
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from mlprov.loader.operators import OperatorMap
from tests.conftest import FIXTURES, run_cli

STORES = ("diabetes_localdag_failed_v10", "redwine_pushers_v10", "sepsis_v7")
STATES = {1: "NEW", 2: "RUNNING", 3: "COMPLETE", 4: "FAILED", 5: "CACHED", 6: "CANCELED"}


@pytest.fixture(scope="module")
def loaded(_session_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The three fixture stores loaded once for the module, with their graphlets."""
    wh = _session_warehouse
    wh.run_batched("admin/clear_graph")
    tmp = tmp_path_factory.mktemp("query_stores")
    paths = {}
    loader = Loader(wh)
    for store in STORES:
        paths[store] = tmp / f"{store}.sqlite"
        shutil.copyfile(FIXTURES / f"{store}.sqlite", paths[store])
        loader.load(str(paths[store]), store=store)
    build_graphlets(wh)
    yield paths


def run(wh: Warehouse, name: str, **params: Any) -> list[dict[str, Any]]:
    return analyst.run_named(wh, name, params, limit=100_000).rows


# Each execution's pipeline: the (lexically first) pipeline context it is associated with; and every
# push: a PushedModel with pushed=1 output by a Pusher, at its first OUTPUT event.
VIEWS = (
    """CREATE TEMP VIEW exec_pipeline AS
       SELECT s.execution_id AS eid, MIN(c.name) AS pipeline FROM Association s
       JOIN Context c ON c.id = s.context_id JOIN Type t ON t.id = c.type_id
       WHERE t.name = 'pipeline' GROUP BY s.execution_id""",
    """CREATE TEMP VIEW pushes AS
       SELECT ep.pipeline AS pipeline, a.id AS aid, MIN(ev.milliseconds_since_epoch) AS t FROM Event ev
       JOIN Execution x ON x.id = ev.execution_id JOIN Type xt ON xt.id = x.type_id
       JOIN Artifact a ON a.id = ev.artifact_id JOIN Type at ON at.id = a.type_id
       JOIN ArtifactProperty p ON p.artifact_id = a.id AND p.name = 'pushed' AND p.int_value = 1
       JOIN exec_pipeline ep ON ep.eid = x.id
       WHERE ev.type = 4 AND at.name = 'PushedModel' AND xt.name LIKE '%Pusher'
       GROUP BY a.id""",
)
PUSHES = "SELECT pipeline, aid, t FROM pushes"


def sql(path: Path, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for view in VIEWS:
            db.execute(view)
        return db.execute(query, args).fetchall()
    finally:
        db.close()


def test_library_is_documented() -> None:
    lib = analyst.library()
    assert {
        "pipelines",
        "pipeline_runs",
        "pipeline_trace",
        "graphlet",
        "unpushed_streaks",
        "expensive_unpushed",
        "executions_by_kind",
        "failed_executions",
        "artifacts_by_span",
        "pushes",
        "live_at",
    } <= set(lib)
    for name, q in lib.items():
        assert q.purpose and q.parameters and q.returns, name
        documented = {p for p in q.param_names if f"${p}" in q.parameters}
        assert documented == q.param_names, f"{name}: parameters used but not in its header"


def test_pipelines(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    rows = run(warehouse_loaded, "pipelines")
    got = {(r["store"], r["pipeline"]): r for r in rows}
    for store, path in loaded.items():
        expected = sql(
            path,
            """SELECT ep.pipeline, COUNT(*), MIN(x.create_time_since_epoch), MAX(x.last_update_time_since_epoch),
                       SUM(CASE WHEN t.name LIKE '%Trainer' THEN 1 ELSE 0 END)
                FROM exec_pipeline ep JOIN Execution x ON x.id = ep.eid JOIN Type t ON t.id = x.type_id
                GROUP BY ep.pipeline""",
        )
        runs = dict(
            sql(
                path,
                """SELECT ep.pipeline, COUNT(DISTINCT c.id) FROM exec_pipeline ep
                    JOIN Association s ON s.execution_id = ep.eid JOIN Context c ON c.id = s.context_id
                    JOIN Type t ON t.id = c.type_id WHERE t.name IN ('run', 'pipeline_run') GROUP BY ep.pipeline""",
            )
        )
        pushes = Counter(p for p, _, _ in sql(path, PUSHES))
        assert {k[1] for k in got if k[0] == store} == {e[0] for e in expected}
        for pipeline, n, first, last, trainers in expected:
            r = got[(store, pipeline)]
            assert (r["executions"], r["first_created"], r["last_updated"], r["trainer_runs"]) == (
                n,
                first,
                last,
                trainers,
            )
            assert r["runs"] == runs.get(pipeline, 0)
            assert r["pushes"] == pushes[pipeline]
    only = run(warehouse_loaded, "pipelines", store="sepsis_v7")
    assert only and {r["store"] for r in only} == {"sepsis_v7"}


def test_pipeline_runs(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    store = "diabetes_localdag_failed_v10"
    rows = run(warehouse_loaded, "pipeline_runs", pipeline="tfx_diabetes_pipeline")
    expected = sql(
        loaded[store],
        """SELECT c.name, COUNT(*), MIN(x.create_time_since_epoch), MAX(x.last_update_time_since_epoch),
                  SUM(x.last_known_state = 4), SUM(x.last_known_state = 5)
           FROM Context c JOIN Type t ON t.id = c.type_id JOIN Association s ON s.context_id = c.id
           JOIN Execution x ON x.id = s.execution_id WHERE t.name = 'pipeline_run'
           GROUP BY c.id ORDER BY MIN(x.create_time_since_epoch)""",
    )
    assert [(r["run"], r["executions"], r["started"], r["ended"], r["failed"], r["cached"]) for r in rows] == [
        tuple(e) for e in expected
    ]
    assert len(rows) == 8 and sum(r["failed"] for r in rows) == 6


def test_pipeline_trace(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    store = "redwine_pushers_v10"
    pipeline = "interactive-2024-06-13T13_04_39.009747"
    rows = run(warehouse_loaded, "pipeline_trace", pipeline=pipeline, store=store)
    execs = {
        f"{store}:e:{i}" for (i,) in sql(loaded[store], "SELECT eid FROM exec_pipeline WHERE pipeline = ?", (pipeline,))
    }
    arts = {
        f"{store}:a:{i}"
        for (i,) in sql(
            loaded[store],
            """SELECT DISTINCT ev.artifact_id FROM Event ev JOIN Artifact a ON a.id = ev.artifact_id
                JOIN exec_pipeline ep ON ep.eid = ev.execution_id WHERE ep.pipeline = ?""",
            (pipeline,),
        )
    }
    assert {r["uid"] for r in rows if r["node"] == "Execution"} == execs
    assert {r["uid"] for r in rows if r["node"] == "Artifact"} == arts
    times = [r["time"] for r in rows]
    assert times == sorted(times)


def test_executions_by_kind(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    ops = OperatorMap.load()
    for store, path in loaded.items():
        expected: dict[tuple[str, str | None], list[float]] = defaultdict(lambda: [0, 0.0])
        for type_name, state, created, updated in sql(
            path,
            """SELECT t.name, x.last_known_state, x.create_time_since_epoch, x.last_update_time_since_epoch
               FROM Execution x JOIN Type t ON t.id = x.type_id""",
        ):
            key = (ops.operator(type_name, None).kind, STATES.get(state))
            expected[key][0] += 1
            expected[key][1] += 0.0 if state == 5 else max(0.0, (updated - created) / 1000)
        rows = run(warehouse_loaded, "executions_by_kind", store=store)
        assert {(r["kind"], r["state"]): r["executions"] for r in rows} == {k: v[0] for k, v in expected.items()}
        for r in rows:
            assert r["cost"] == pytest.approx(expected[(r["kind"], r["state"])][1])


def test_failed_executions(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    rows = run(warehouse_loaded, "failed_executions")
    expected = {
        f"{store}:e:{i}"
        for store, path in loaded.items()
        for (i,) in sql(path, "SELECT id FROM Execution WHERE last_known_state = 4")
    }
    assert {r["uid"] for r in rows} == expected and len(expected) == 6
    runs = dict(
        sql(
            loaded["diabetes_localdag_failed_v10"],
            """SELECT s.execution_id, c.name FROM Association s JOIN Context c ON c.id = s.context_id
               JOIN Type t ON t.id = c.type_id WHERE t.name = 'pipeline_run'""",
        )
    )
    for r in rows:
        assert r["run"] == runs[int(r["uid"].rsplit(":", 1)[1])]
        assert r["kind"] == "Trainer"


def test_artifacts_by_span(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    for store, path in loaded.items():
        expected = sql(
            path,
            """SELECT t.name, p.int_value, COUNT(DISTINCT a.id),
                      (SELECT COUNT(DISTINCT ev.execution_id) FROM Event ev JOIN Execution x ON x.id = ev.execution_id
                       JOIN ArtifactProperty q ON q.artifact_id = ev.artifact_id AND q.name = 'span'
                       JOIN Artifact b ON b.id = ev.artifact_id
                       WHERE ev.type IN (2, 3, 5) AND b.type_id = a.type_id AND q.int_value = p.int_value)
               FROM Artifact a JOIN Type t ON t.id = a.type_id
               JOIN ArtifactProperty p ON p.artifact_id = a.id AND p.name = 'span' AND p.int_value IS NOT NULL
               GROUP BY t.name, p.int_value""",
        )
        rows = run(warehouse_loaded, "artifacts_by_span", store=store)
        assert sorted((r["kind"], r["span"], r["artifacts"], r["readers"]) for r in rows) == sorted(
            (name.rsplit(".", 1)[-1], span, n, readers) for name, span, n, readers in expected
        )
        assert rows, store
    examples = run(warehouse_loaded, "artifacts_by_span", kind="Examples")
    assert examples and {r["kind"] for r in examples} == {"Examples"}


def test_pushes(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    rows = run(warehouse_loaded, "pushes")
    expected = {(store, p, f"{store}:a:{a}", t) for store, path in loaded.items() for p, a, t in sql(path, PUSHES)}
    assert {(r["store"], r["pipeline"], r["pushed_model"], r["pushed_at"]) for r in rows} == expected
    assert len(rows) == 3 + 2 + 11
    per_store = defaultdict(list)
    for r in rows:
        per_store[r["store"]].append(r["n"])
    assert all(ns == list(range(1, len(ns) + 1)) for ns in per_store.values())
    assert all(r["model"] and ":a:" in r["model"] for r in rows)


def live_sql(path: Path, at: int) -> dict[str, int]:
    """pipeline → PushedModel id live at ``at``, computed in Python from SQL rows."""
    best: dict[str, tuple[int, int]] = {}
    for pipeline, aid, t in sql(path, PUSHES):
        if t <= at and (pipeline not in best or (t, aid) > best[pipeline]):
            best[pipeline] = (t, aid)
    return {p: a for p, (_, a) in best.items()}


def test_live_at_matches_sql_on_redwine(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    store = "redwine_pushers_v10"
    push_times = sorted(t for _, _, t in sql(loaded[store], PUSHES))
    assert len(push_times) == 3
    instants = [push_times[0] - 1, push_times[0], push_times[1] - 1, push_times[1] + 1, push_times[2], 2**53]
    seen = set()
    for at in instants:
        rows = run(warehouse_loaded, "live_at", at=at, store=store)
        got = {r["pipeline"]: r["pushed_model"] for r in rows}
        assert got == {p: f"{store}:a:{a}" for p, a in live_sql(loaded[store], at).items()}, at
        seen.add(len(got))
    assert seen == {0, 1, 2, 3}


def test_live_cli_iso_time(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    store = "redwine_pushers_v10"
    push_times = sorted(t for _, _, t in sql(loaded[store], PUSHES))
    from datetime import UTC, datetime

    iso = datetime.fromtimestamp((push_times[1] + 1000) / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    proc = run_cli("live", "--at", iso, "--store", store, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert len(got) == 2 and all(r["store"] == store for r in got)
    bad = run_cli("live", "--at", "yesterday-ish")
    assert bad.returncode != 0 and "ISO 8601" in bad.stderr and "Traceback" not in bad.stderr


def test_graphlet_queries(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    graphlets = warehouse_loaded.read("graphlets/list", store=None)
    assert graphlets
    one = graphlets[0]
    members = run(warehouse_loaded, "graphlet", uid=one["graphlet"]["uid"])
    assert sorted(r["member"] for r in members) == sorted(one["members"])
    unpushed = sorted(
        (g["graphlet"] for g in graphlets if g["graphlet"].get("pushed") is False),
        key=lambda g: (-g["cost"], g["uid"]),
    )
    top = run(warehouse_loaded, "expensive_unpushed", top=2)
    assert [r["graphlet"] for r in top] == [g["uid"] for g in unpushed[:2]]
    # streaks: walk each pipeline's decided graphlets in trainer order in Python
    by_pipeline: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for g in graphlets:
        if g["graphlet"].get("pushed") is not None:
            by_pipeline[(g["graphlet"]["store"], g["graphlet"]["pipeline"])].append(g["graphlet"])
    expected = []
    for (store, pipeline), gs in by_pipeline.items():
        gs.sort(key=lambda g: (g["trainer_created"], g["trainer_mlmd_id"]))
        streak: list[str] = []
        for g in gs:
            if g["pushed"]:
                if streak:
                    expected.append((store, pipeline, len(streak), streak[0], True))
                streak = []
            else:
                streak.append(g["uid"])
        if streak:
            expected.append((store, pipeline, len(streak), streak[0], False))
    rows = run(warehouse_loaded, "unpushed_streaks")
    assert sorted((r["store"], r["pipeline"], r["length"], r["first_graphlet"], r["ended_by_push"]) for r in rows) == (
        sorted(expected)
    )
    assert sum(r["length"] for r in rows) == len(unpushed)


# -- the command line --------------------------------------------------------------------------------
def test_parse_values() -> None:
    assert analyst.parse_params(["a=1", "b=-2.5", "c=true", "d=[1, 2]", "e=text", 'f="42"', "g=null", "h=1e3"]) == {
        "a": 1,
        "b": -2.5,
        "c": True,
        "d": [1, 2],
        "e": "text",
        "f": "42",
        "g": None,
        "h": 1000.0,
    }
    assert analyst.parse_params(["s=interactive-2024-06-13T13_04_39.009747", "u=x:e:1", "j=[oops"]) == {
        "s": "interactive-2024-06-13T13_04_39.009747",
        "u": "x:e:1",
        "j": "[oops",
    }
    with pytest.raises(QueryError):
        analyst.parse_params(["novalue"])
    assert analyst.is_query_name("pipelines") and analyst.is_query_name("graphlets/list")
    assert not analyst.is_query_name("MATCH (n) RETURN n")


def test_query_cli(warehouse_loaded: Warehouse, loaded: dict[str, Path]) -> None:
    listed = run_cli("query", "--list")
    assert listed.returncode == 0, listed.stderr
    for name in analyst.library():
        assert name in listed.stdout

    named = run_cli("query", "pipeline_runs", "--param", "pipeline=tfx_diabetes_pipeline", "--format", "csv")
    assert named.returncode == 0, named.stderr
    table = list(csv.DictReader(io.StringIO(named.stdout)))
    assert len(table) == 8 and table[0]["store"] == "diabetes_localdag_failed_v10"
    assert json.loads(table[0]["kinds"])[0] == "ExampleGen"
    assert "Neo4j: bolt://" in named.stderr

    inline = run_cli(
        "query",
        "MATCH (e:Execution {store: $store}) RETURN e.uid AS uid ORDER BY e.mlmd_id",
        "-p",
        "store=sepsis_v7",
        "--format",
        "json",
        "--limit",
        "5",
    )
    assert inline.returncode == 0, inline.stderr
    assert [r["uid"] for r in json.loads(inline.stdout)] == [f"sepsis_v7:e:{i}" for i in range(1, 6)]
    assert "truncated" in inline.stderr

    table_out = run_cli(
        "query", "failed_executions", "-p", "store=diabetes_localdag_failed_v10", env={"COLUMNS": "400"}
    )
    assert table_out.returncode == 0 and "diabetes_localdag_failed_v10:e:6" in table_out.stdout

    for args, needle in (
        (("query", "nosuch_query"), "no library query named 'nosuch_query'"),
        (("query", "pipeline_runs"), "needs parameter(s) $pipeline"),
        (("query", "pipelines", "-p", "bogus=1"), "takes no parameter(s) $bogus"),
        (("query", "MATCH (n RETURN n"), "SyntaxError"),
    ):
        proc = run_cli(*args)
        assert proc.returncode != 0, args
        assert needle in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_query_timeout(warehouse_loaded: Warehouse) -> None:
    proc = run_cli(
        "query", "UNWIND range(1, 2000000000) AS i WITH i WHERE i < 0 RETURN count(*) AS n", "--timeout", "1"
    )
    assert proc.returncode != 0
    assert "TransactionTimedOut" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()[-1]) < 1000


@pytest.fixture
def warehouse_loaded(_session_warehouse: Warehouse, loaded: dict[str, Path]) -> Warehouse:
    return _session_warehouse
