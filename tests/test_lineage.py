"""Lineage walks (bounded, truncation reported) and pipeline export, against SQL on the same store."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from mlprov.analysis import lineage
from mlprov.analysis.export import GRAPHML_NS, export
from mlprov.db import Warehouse
from mlprov.errors import QueryError
from mlprov.loader.load import Loader
from tests.conftest import run_cli

STORE = "diabetes_localdag_failed_v10"
INPUTS, OUTPUTS = (2, 3, 5), (1, 4, 6, 7)


@pytest.fixture
def store_path(warehouse: Warehouse, fixture_store: Any) -> Path:
    path: Path = fixture_store(f"{STORE}.sqlite")
    Loader(warehouse).load(str(path), store=STORE)
    return path


def rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def sql_walk(
    path: Path, start: str, direction: str, skip_cached: bool = False
) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """BFS hop distance of every ancestor/descendant and the data-flow edges (source, target) walked,
    from the Event table; with ``skip_cached`` CACHED executions (state 5) are not entered."""
    cached = {f"{STORE}:e:{x}" for (x,) in rows(path, "SELECT id FROM Execution WHERE last_known_state = 5")}
    nxt: dict[str, set[str]] = defaultdict(set)
    for aid, xid, etype in rows(
        path,
        "SELECT e.artifact_id, e.execution_id, e.type FROM Event e JOIN Artifact a ON a.id = e.artifact_id "
        "JOIN Execution x ON x.id = e.execution_id",
    ):
        a, x = f"{STORE}:a:{aid}", f"{STORE}:e:{xid}"
        src, dst = (a, x) if etype in INPUTS else (x, a)  # data flows src → dst
        if direction == lineage.UP:
            nxt[dst].add(src)
        else:
            nxt[src].add(dst)
    dist = {start: 0}
    edges: set[tuple[str, str]] = set()
    frontier = [start]
    while frontier:
        new = []
        for n in frontier:
            for m in nxt[n]:
                if skip_cached and m in cached:
                    continue
                edges.add((m, n) if direction == lineage.UP else (n, m))
                if m not in dist:
                    dist[m] = dist[n] + 1
                    new.append(m)
        frontier = new
    return dist, edges


def sql_distances(path: Path, start: str, direction: str) -> dict[str, int]:
    return sql_walk(path, start, direction)[0]


@pytest.mark.parametrize(
    ("start", "direction"),
    [(f"{STORE}:a:63", lineage.UP), (f"{STORE}:a:1", lineage.DOWN), (f"{STORE}:e:43", lineage.UP)],
)
def test_full_lineage_matches_sql(warehouse: Warehouse, store_path: Path, start: str, direction: str) -> None:
    expected, edges = sql_walk(store_path, start, direction)
    assert len(expected) > 3 and len(edges) >= len(expected) - 1
    result = lineage.walk(warehouse, start, direction=direction, depth=1000, max_nodes=100_000)
    assert not result.truncated and result.reason is None
    assert {n["uid"]: n["depth"] for n in result.nodes} == expected
    assert set(result.edges) == edges and len(result.edges) == len(edges)


def test_depth_truncation(warehouse: Warehouse, store_path: Path) -> None:
    start = f"{STORE}:a:63"  # the last pushed model: a deep ancestry
    expected = sql_distances(store_path, start, lineage.UP)
    deepest = max(expected.values())
    for depth in (1, 2, 3, deepest - 1, deepest):
        result = lineage.walk(warehouse, start, direction=lineage.UP, depth=depth, max_nodes=100_000)
        assert {n["uid"] for n in result.nodes} == {u for u, d in expected.items() if d <= depth}
        assert result.truncated == (depth < deepest), depth
        if result.truncated:
            assert result.reason is not None and result.reason.startswith("depth")


def test_node_cap_truncation(warehouse: Warehouse, store_path: Path) -> None:
    start = f"{STORE}:a:1"  # the first examples feed everything
    expected = sql_distances(store_path, start, lineage.DOWN)
    for cap in (1, 2, 5, len(expected) - 1):
        result = lineage.walk(warehouse, start, direction=lineage.DOWN, depth=1000, max_nodes=cap)
        assert len(result.nodes) == cap and result.truncated
        assert result.reason is not None and result.reason.startswith("node cap")
        for n in result.nodes:  # a breadth-first prefix: every node at its true distance
            assert expected[n["uid"]] == n["depth"]
    exact = lineage.walk(warehouse, start, direction=lineage.DOWN, depth=1000, max_nodes=len(expected))
    assert len(exact.nodes) == len(expected) and not exact.truncated


def test_skip_cached(warehouse: Warehouse, store_path: Path) -> None:
    start = f"{STORE}:a:63"
    full = lineage.walk(warehouse, start, depth=1000)
    fresh = lineage.walk(warehouse, start, depth=1000, skip_cached=True)
    cached = {n["uid"] for n in full.nodes if n["state"] == "CACHED"}
    assert cached and not any(n["state"] == "CACHED" for n in fresh.nodes)
    # the oracle: the same walk in SQL, never entering a CACHED execution
    expected, edges = sql_walk(store_path, start, lineage.UP, skip_cached=True)
    assert expected.keys() < sql_distances(store_path, start, lineage.UP).keys()
    assert {n["uid"]: n["depth"] for n in fresh.nodes} == expected
    assert set(fresh.edges) == edges


def test_lineage_cli(warehouse: Warehouse, store_path: Path) -> None:
    proc = run_cli("lineage", f"{STORE}:a:63", "--up", "--depth", "2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["truncated"] is True and answer["reason"].startswith("depth")
    assert "truncated (depth" in proc.stderr
    proc = run_cli("lineage", f"{STORE}:a:1", "--down", "--max-nodes", "4", "--format", "csv")
    assert proc.returncode == 0 and len(proc.stdout.strip().splitlines()) == 1 + 4
    assert "truncated (node cap" in proc.stderr
    for args, needle in (
        (("lineage", "nope:e:1"), "no execution or artifact with uid 'nope:e:1'"),
        (("lineage", f"{STORE}:a:1", "--up", "--down"), "choose one of --up and --down"),
    ):
        bad = run_cli(*args)
        assert bad.returncode != 0 and needle in bad.stderr and "Traceback" not in bad.stderr


def test_parse_instant() -> None:
    assert lineage.parse_instant("1719206898274") == 1719206898274
    assert lineage.parse_instant("2024-06-24T05:28:18.274Z") == 1719206898274
    assert lineage.parse_instant("2024-06-24T07:28:18.274+02:00") == 1719206898274
    assert lineage.parse_instant("2024-06-24T05:28:18.274") == 1719206898274  # naive = UTC
    with pytest.raises(QueryError):
        lineage.parse_instant("last tuesday")


# -- export ------------------------------------------------------------------------------------------
def expected_subgraph(path: Path) -> tuple[set[str], dict[str, int]]:
    """Node uids and edge counts by type of the pipeline's subgraph, from SQL."""
    execs = {
        x
        for (x,) in rows(
            path,
            "SELECT s.execution_id FROM Association s JOIN Context c ON c.id = s.context_id "
            "JOIN Type t ON t.id = c.type_id WHERE t.name = 'pipeline' AND c.name = 'tfx_diabetes_pipeline'",
        )
    }
    events = [
        r
        for r in rows(
            path,
            "SELECT e.artifact_id, e.execution_id, e.type FROM Event e JOIN Artifact a ON a.id = e.artifact_id "
            "JOIN Execution x ON x.id = e.execution_id",
        )
        if r[1] in execs
    ]
    arts = {a for a, _, _ in events}
    assoc = [(x, c) for x, c in rows(path, "SELECT execution_id, context_id FROM Association") if x in execs]
    ctxs = {c for _, c in assoc}
    attrib = [
        (a, c) for a, c in rows(path, "SELECT artifact_id, context_id FROM Attribution") if a in arts and c in ctxs
    ]
    parents = [
        (c, p) for c, p in rows(path, "SELECT context_id, parent_context_id FROM ParentContext") if {c, p} <= ctxs
    ]
    nodes = {f"{STORE}:e:{x}" for x in execs} | {f"{STORE}:a:{a}" for a in arts} | {f"{STORE}:c:{c}" for c in ctxs}
    counts = {
        "INPUT": sum(1 for e in events if e[2] in INPUTS),
        "OUTPUT": sum(1 for e in events if e[2] in OUTPUTS),
        "IN_CONTEXT": len(set(assoc)) + len(set(attrib)),
        "CHILD_OF": len(set(parents)),
    }
    return nodes, counts


def test_export_json_round_trip(warehouse: Warehouse, store_path: Path, tmp_path: Path) -> None:
    nodes, counts = expected_subgraph(store_path)
    out = tmp_path / "pipeline.json"
    proc = run_cli("export", "tfx_diabetes_pipeline", "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == nodes
    by_type: dict[str, int] = defaultdict(int)
    for e in data["edges"]:
        by_type[e["type"]] += 1
        assert e["source"] in nodes and e["target"] in nodes
    assert dict(by_type) == counts
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])
    # property values survive: compare one execution with the graph
    graph = warehouse.read_text("MATCH (e:Execution {uid: $u}) RETURN properties(e) AS p", {"u": f"{STORE}:e:5"})[1]
    exported = next(n for n in data["nodes"] if n["id"] == f"{STORE}:e:5")
    assert exported["labels"] == ["Execution"]
    assert exported["properties"]["cost"] == graph[0]["p"]["cost"]
    assert exported["properties"]["created"] == graph[0]["p"]["created"]


def test_export_graphml_round_trip(warehouse: Warehouse, store_path: Path, tmp_path: Path) -> None:
    nodes, counts = expected_subgraph(store_path)
    out = tmp_path / "pipeline.graphml"
    proc = run_cli("export", "tfx_diabetes_pipeline", "--format", "graphml", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    root = ET.parse(out).getroot()  # well-formed XML or this raises
    ns = {"g": GRAPHML_NS}
    assert root.tag == f"{{{GRAPHML_NS}}}graphml"
    keys = {k.get("id"): k for k in root.findall("g:key", ns)}
    types = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in keys.values()}
    assert set(types.values()) <= {"boolean", "int", "long", "float", "double", "string"}
    assert types[("node", "mlmd_id")] == "long"
    assert types[("node", "cost")] == "double"
    assert types[("node", "uri")] == "string"
    assert types[("edge", "time")] == "long"
    assert len({(k.get("for"), k.get("attr.name")) for k in keys.values()}) == len(keys)
    graph = root.find("g:graph", ns)
    assert graph is not None and graph.get("edgedefault") == "directed"
    got_nodes = {n.get("id") for n in graph.findall("g:node", ns)}
    assert got_nodes == nodes
    type_key = next(k for k, v in keys.items() if v.get("for") == "edge" and v.get("attr.name") == "type")
    by_type: dict[str, int] = defaultdict(int)
    for e in graph.findall("g:edge", ns):
        assert e.get("source") in got_nodes and e.get("target") in got_nodes
        for d in e.findall("g:data", ns):
            assert d.get("key") in keys
            if d.get("key") == type_key:
                by_type[d.text or ""] += 1
    assert dict(by_type) == counts
    for n in graph.findall("g:node", ns):
        for d in n.findall("g:data", ns):
            key = keys[d.get("key") or ""]
            if key.get("attr.type") == "long":
                int(d.text or "")
            elif key.get("attr.type") == "double":
                float(d.text or "")


def test_export_same_as_api_and_errors(warehouse: Warehouse, store_path: Path, tmp_path: Path) -> None:
    nodes, counts = expected_subgraph(store_path)
    sub, text = export(warehouse, "tfx_diabetes_pipeline", "json", store=STORE)
    assert json.loads(text)["store"] == STORE
    assert {n["id"] for n in sub.nodes} == nodes and len(sub.nodes) == len(nodes)
    by_type: dict[str, int] = defaultdict(int)
    for e in sub.edges:
        by_type[e["type"]] += 1
    assert dict(by_type) == counts
    assert json.loads(text)["nodes"] == sub.nodes and json.loads(text)["edges"] == sub.edges
    for args, needle in (
        (("export", "no_such_pipeline", "-o", str(tmp_path / "x")), "no pipeline named 'no_such_pipeline'"),
        (("export", "tfx_diabetes_pipeline", "--store", "other", "-o", str(tmp_path / "x")), "has no pipeline"),
    ):
        bad = run_cli(*args)
        assert bad.returncode != 0 and needle in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x").exists()
