"""Property tests (Hypothesis) against the real server.

* Random MLMD stores written with the official ``ml-metadata`` API (random types, registered and custom
  properties of every value type, states, events of every type with paths, contexts, associations,
  attributions, parent contexts) load exactly: the graph is compared with what ``ml-metadata`` itself
  reads back from the store, not with our own SQL reader.
* A random sequence of appends, updates and deletes, each followed by a reload with ``--prune``, ends
  with the graph of a clean load of the final store, and every intermediate reload equals a clean load
  of the store as it was then.
* Graphlet membership on random DAG traces equals the rules of docs/graphlets.md computed by brute
  force: every simple path is enumerated (exponential, fine for traces of a dozen executions).

The example counts are kept small for the default suite; raise them with ``HYPOTHESIS_PROFILE=deep``.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

from mlprov.db import Warehouse
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from tests.graphs import store_graph
from tests.mlmd_builder import MlmdBuilder, _set_value
from tests.test_graphlets import graphlets as stored_graphlets

settings.register_profile(
    "suite", max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
settings.register_profile("deep", max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

EXECUTION_STATES = {1: "NEW", 2: "RUNNING", 3: "COMPLETE", 4: "FAILED", 5: "CACHED", 6: "CANCELED"}
ARTIFACT_STATES = {1: "PENDING", 2: "LIVE", 3: "MARKED_FOR_DELETION", 4: "DELETED", 5: "ABANDONED", 6: "REFERENCE"}
EVENT_NAMES = {
    1: "DECLARED_OUTPUT",
    2: "DECLARED_INPUT",
    3: "INPUT",
    4: "OUTPUT",
    5: "INTERNAL_INPUT",
    6: "INTERNAL_OUTPUT",
    7: "PENDING_OUTPUT",
}
INPUT_EVENTS = {2, 3, 5}
EXECUTION_TYPES = [
    "tfx.components.trainer.component.Trainer",
    "tfx.components.pusher.component.Pusher",
    "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen",
    "my_company.Scorer",
]
ARTIFACT_TYPES = ["Examples", "Model", "ExampleStatistics", "my_company.Report"]
CONTEXT_TYPES = ["pipeline", "run", "node"]
STORE = "prop"

# -- random stores ------------------------------------------------------------------------------------
names = st.sampled_from(["alpha", "beta", "gamma", "n_1", "ünï"])
scalars = st.one_of(
    st.integers(min_value=-(2**62), max_value=2**62),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=12),
    st.booleans(),
)
custom_props = st.dictionaries(names, scalars, max_size=3)


@dataclass
class Spec:
    executions: list[tuple[int, int, dict[str, Any], int]]  # type index, state, custom props, registered int
    artifacts: list[tuple[int, int, str, dict[str, Any]]]  # type index, state, uri, custom props
    events: list[tuple[int, int, int, list[Any]]]  # artifact idx, execution idx, type, path steps
    contexts: list[tuple[int, str]]  # type index, name
    associations: set[tuple[int, int]]  # execution idx, context idx
    attributions: set[tuple[int, int]]  # artifact idx, context idx
    parents: set[tuple[int, int]]  # child idx, parent idx (parent < child: acyclic)


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    n_x = draw(st.integers(1, 6))
    n_a = draw(st.integers(0, 7))
    n_c = draw(st.integers(0, 3))
    executions = [
        (
            draw(st.integers(0, len(EXECUTION_TYPES) - 1)),
            draw(st.integers(1, 6)),
            draw(custom_props),
            draw(st.integers(-5, 10**12)),
        )
        for _ in range(n_x)
    ]
    artifacts = [
        (
            draw(st.integers(0, len(ARTIFACT_TYPES) - 1)),
            draw(st.integers(1, 6)),
            draw(st.text(min_size=1, max_size=20)),
            draw(custom_props),
        )
        for _ in range(n_a)
    ]
    events = []
    seen: set[tuple[int, int, int]] = set()  # MLMD keeps one event per (artifact, execution, type)
    if n_a:
        for _ in range(draw(st.integers(0, 10))):
            path = draw(st.lists(st.one_of(st.integers(0, 9), st.sampled_from(["examples", "model", "x"])), max_size=2))
            key = (draw(st.integers(0, n_a - 1)), draw(st.integers(0, n_x - 1)), draw(st.integers(1, 7)))
            if key not in seen:
                seen.add(key)
                events.append((*key, path))
    contexts = [(draw(st.integers(0, len(CONTEXT_TYPES) - 1)), f"ctx-{i}-{draw(names)}") for i in range(n_c)]
    pairs = st.tuples(st.integers(0, max(n_x - 1, 0)), st.integers(0, max(n_c - 1, 0)))
    associations = set(draw(st.lists(pairs, max_size=6))) if n_c else set()
    attributions = (
        set(draw(st.lists(st.tuples(st.integers(0, n_a - 1), st.integers(0, n_c - 1)), max_size=6)))
        if n_c and n_a
        else set()
    )
    parents = set()
    if n_c > 1:
        for child in range(1, n_c):
            if draw(st.booleans()):
                parents.add((child, draw(st.integers(0, child - 1))))
    return Spec(executions, artifacts, events, contexts, associations, attributions, parents)


def open_store(path: Path) -> metadata_store.MetadataStore:
    cfg = pb.ConnectionConfig()
    cfg.sqlite.filename_uri = str(path)
    cfg.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return metadata_store.MetadataStore(cfg)


def write_spec(path: Path, spec: Spec) -> None:
    store = open_store(path)
    x_types = []
    for name in EXECUTION_TYPES:
        t = pb.ExecutionType(name=name)
        t.properties["num_steps"] = pb.INT
        x_types.append(store.put_execution_type(t))
    a_types = [store.put_artifact_type(pb.ArtifactType(name=name)) for name in ARTIFACT_TYPES]
    c_types = [store.put_context_type(pb.ContextType(name=name)) for name in CONTEXT_TYPES]
    xs = []
    for t, state, props, steps in spec.executions:
        e = pb.Execution(type_id=x_types[t], last_known_state=state)
        e.properties["num_steps"].int_value = steps
        for k, v in props.items():
            _set_value(e.custom_properties[k], v)
        xs.append(e)
    x_ids = store.put_executions(xs)
    arts = []
    for t, state, uri, props in spec.artifacts:
        a = pb.Artifact(type_id=a_types[t], state=state, uri=uri)
        for k, v in props.items():
            _set_value(a.custom_properties[k], v)
        arts.append(a)
    a_ids = store.put_artifacts(arts) if arts else []
    events = []
    for a, x, kind, steps in spec.events:
        ev = pb.Event(artifact_id=a_ids[a], execution_id=x_ids[x], type=kind)
        for s in steps:
            if isinstance(s, int):
                ev.path.steps.add().index = s
            else:
                ev.path.steps.add().key = s
        events.append(ev)
    if events:
        store.put_events(events)
    c_ids = (
        store.put_contexts([pb.Context(type_id=c_types[t], name=n) for t, n in spec.contexts]) if spec.contexts else []
    )
    if spec.associations or spec.attributions:
        store.put_attributions_and_associations(
            [pb.Attribution(artifact_id=a_ids[a], context_id=c_ids[c]) for a, c in sorted(spec.attributions)],
            [pb.Association(execution_id=x_ids[x], context_id=c_ids[c]) for x, c in sorted(spec.associations)],
        )
    if spec.parents:
        store.put_parent_contexts(
            [pb.ParentContext(child_id=c_ids[ch], parent_id=c_ids[pa]) for ch, pa in sorted(spec.parents)]
        )
    del store


def _plain(value: pb.Value) -> Any:
    which = value.WhichOneof("value")
    return getattr(value, which) if which else None


def expected_from_ml_metadata(path: Path) -> tuple[dict[str, Any], set[tuple[Any, ...]]]:
    """What the official library reads back: node facts by uid, and relationships."""
    store = open_store(path)
    types = {t.id: t.name for t in store.get_execution_types() + store.get_artifact_types()}
    ctypes = {t.id: t.name for t in store.get_context_types()}
    nodes: dict[str, Any] = {}
    for e in store.get_executions():
        props = {f"c_{k}": _plain(v) for k, v in e.custom_properties.items()}
        props |= {f"p_{k}": _plain(v) for k, v in e.properties.items()}
        nodes[f"{STORE}:e:{e.id}"] = ({"Execution"}, types[e.type_id], EXECUTION_STATES.get(e.last_known_state), props)
    for a in store.get_artifacts():
        props = {f"c_{k}": _plain(v) for k, v in a.custom_properties.items()}
        nodes[f"{STORE}:a:{a.id}"] = (
            {"Artifact"},
            types[a.type_id],
            ARTIFACT_STATES.get(a.state),
            props | {"uri": a.uri},
        )
    rels: set[tuple[Any, ...]] = set()
    contexts = store.get_contexts()
    for c in contexts:
        label = {"pipeline": "Pipeline", "run": "Run"}.get(ctypes[c.type_id])
        nodes[f"{STORE}:c:{c.id}"] = ({"Context", label} - {None}, ctypes[c.type_id], None, {"name": c.name})
        for x in store.get_executions_by_context(c.id):
            rels.add((f"{STORE}:e:{x.id}", "IN_CONTEXT", f"{STORE}:c:{c.id}"))
        for a in store.get_artifacts_by_context(c.id):
            rels.add((f"{STORE}:a:{a.id}", "IN_CONTEXT", f"{STORE}:c:{c.id}"))
        for p in store.get_parent_contexts_by_context(c.id):
            rels.add((f"{STORE}:c:{c.id}", "CHILD_OF", f"{STORE}:c:{p.id}"))
    x_ids = [int(uid.rsplit(":", 1)[1]) for uid in nodes if ":e:" in uid]
    for ev in store.get_events_by_execution_ids(x_ids):
        steps = [s.key if s.WhichOneof("value") == "key" else s.index for s in ev.path.steps]
        a, x = f"{STORE}:a:{ev.artifact_id}", f"{STORE}:e:{ev.execution_id}"
        edge = (a, "INPUT", x) if ev.type in INPUT_EVENTS else (x, "OUTPUT", a)
        rels.add((*edge, EVENT_NAMES[ev.type], json.dumps([str(s) for s in steps])))
    del store
    return nodes, rels


def actual_graph(wh: Warehouse) -> tuple[dict[str, Any], set[tuple[Any, ...]]]:
    nodes: dict[str, Any] = {}
    for r in wh.read("admin/store_nodes", store=STORE):
        p = r["props"]
        custom = {k: v for k, v in p.items() if k.startswith(("c_", "p_"))}
        if "Context" in r["labels"]:
            nodes[r["uid"]] = (set(r["labels"]), p.get("type"), None, {"name": p.get("name")})
        elif "Artifact" in r["labels"]:
            nodes[r["uid"]] = (set(r["labels"]), p.get("type"), p.get("state"), custom | {"uri": p.get("uri")})
        else:
            nodes[r["uid"]] = (set(r["labels"]), p.get("type"), p.get("state"), custom)
    rels: set[tuple[Any, ...]] = set()
    for r in wh.read("admin/store_relationships", store=STORE):
        if r["type"] in ("INPUT", "OUTPUT"):
            path = json.dumps([str(s) for s in (r["props"].get("path") or [])])
            rels.add((r["source"], r["type"], r["target"], r["props"].get("event_type"), path))
        else:
            rels.add((r["source"], r["type"], r["target"]))
    return nodes, rels


def differences(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Node facts that differ, each property value's type included (1, 1.0 and True differ). Doubles match
    to a relative 1e-13: ml-metadata's own reader rounds them to about 15 significant digits (a stored
    1000000000000001.0 reads back as 1e15 through its API; mlprov loads the exact value of the column)."""

    def same(a: Any, b: Any) -> bool:
        if type(a) is not type(b):
            return False
        return math.isclose(a, b, rel_tol=1e-13) if isinstance(a, float) else bool(a == b)

    found = [
        f"{uid}: only {'in the graph' if uid in actual else 'in the store'}" for uid in actual.keys() ^ expected.keys()
    ]
    for uid in actual.keys() & expected.keys():
        (la, ta, sa, pa), (le, te, se, pe) = actual[uid], expected[uid]
        if (la, ta, sa) != (le, te, se) or pa.keys() != pe.keys() or not all(same(pa[k], pe[k]) for k in pa):
            found.append(f"{uid}: graph {actual[uid]} != store {expected[uid]}")
    return found


@given(spec=specs())
def test_random_ml_metadata_stores_load_exactly(_session_warehouse: Warehouse, spec: Spec) -> None:
    wh = _session_warehouse
    wh.run_batched("admin/clear_graph")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.sqlite"
        write_spec(path, spec)
        Loader(wh).load(str(path), store=STORE)
        expected_nodes, expected_rels = expected_from_ml_metadata(path)
    nodes, rels = actual_graph(wh)
    assert not differences(nodes, expected_nodes)
    assert rels == expected_rels


# -- random operation sequences -----------------------------------------------------------------------
ops = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(1, 3)),
        st.tuples(st.just("update"), st.integers(0, 50), st.integers(1, 6), scalars),
        st.tuples(st.just("delete_execution"), st.integers(0, 50)),
        st.tuples(st.just("delete_artifact"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=5,
)


def apply(path: Path, op: tuple[Any, ...], protected: int) -> None:
    """One change to the store; rows up to id ``protected`` are never deleted (the store's identity)."""
    if op[0] == "append":
        store = open_store(path)
        (x_type,) = [t.id for t in store.get_execution_types() if t.name == EXECUTION_TYPES[0]]
        (a_type,) = [t.id for t in store.get_artifact_types() if t.name == ARTIFACT_TYPES[0]]
        for _ in range(op[1]):
            (x,) = store.put_executions([pb.Execution(type_id=x_type, last_known_state=3)])
            (a,) = store.put_artifacts([pb.Artifact(type_id=a_type, uri="appended", state=2)])
            store.put_events([pb.Event(artifact_id=a, execution_id=x, type=pb.Event.OUTPUT)])
        del store
    elif op[0] == "update":
        store = open_store(path)
        executions = store.get_executions()
        e = executions[op[1] % len(executions)]
        e.last_known_state = op[2]
        _set_value(e.custom_properties["changed"], op[3])
        store.put_executions([e])
        del store
    else:
        table, owner = ("Execution", "execution_id") if op[0] == "delete_execution" else ("Artifact", "artifact_id")
        db = sqlite3.connect(path)
        ids = [r[0] for r in db.execute(f"SELECT id FROM {table} WHERE id > ? ORDER BY id", (protected,))]  # noqa: S608
        if ids:
            victim = ids[op[1] % len(ids)]
            link = "Association" if table == "Execution" else "Attribution"
            for t in ("Event", link, f"{table}Property"):
                db.execute(f"DELETE FROM {t} WHERE {owner} = ?", (victim,))  # noqa: S608
            db.execute(f"DELETE FROM {table} WHERE id = ?", (victim,))  # noqa: S608
            db.commit()
        db.close()


def as_store(graph: tuple[set[str], set[str]], name: str) -> tuple[set[str], set[str]]:
    """A store's graph with its name replaced by STORE (uids and `store` properties), for comparisons."""

    def rename(item: str) -> str:
        return item.replace(f'"{name}:', f'"{STORE}:').replace(f'"store": "{name}"', f'"store": "{STORE}"')

    return {rename(n) for n in graph[0]}, {rename(r) for r in graph[1]}


@given(spec=specs(), sequence=ops)
def test_reloads_after_random_changes_equal_a_clean_load(
    _session_warehouse: Warehouse, spec: Spec, sequence: list[tuple[Any, ...]]
) -> None:
    wh = _session_warehouse
    wh.run_batched("admin/clear_graph")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "live.sqlite"
        write_spec(path, spec)
        protected = len(spec.executions) + len(spec.artifacts)
        Loader(wh).load(str(path), store=STORE)
        for step, op in enumerate(sequence):
            apply(path, op, protected)
            Loader(wh).load(str(path), store=STORE, prune=True, force=True)
            snapshot = Path(tmp) / f"clean{step}.sqlite"
            snapshot.write_bytes(path.read_bytes())
            Loader(wh).load(str(snapshot), store=snapshot.stem)
            clean = as_store(store_graph(wh, snapshot.stem), snapshot.stem)
            assert store_graph(wh, STORE) == clean, f"after {sequence[: step + 1]}"


# -- graphlet membership on random DAGs ----------------------------------------------------------------
KINDS = [
    "CsvExampleGen",
    "StatisticsGen",
    "SchemaGen",
    "ExampleValidator",
    "Transform",
    "Trainer",
    "Evaluator",
    "Pusher",
    "my.Custom",
]
ANALYSIS = {"StatisticsGen", "SchemaGen", "ExampleValidator"}
OUT_TYPE = {
    "CsvExampleGen": "Examples",
    "StatisticsGen": "ExampleStatistics",
    "Transform": "Examples",
    "Trainer": "Model",
    "SchemaGen": "Schema",
    "ExampleValidator": "ExampleAnomalies",
    "Evaluator": "ModelBlessing",
    "Pusher": "PushedModel",
    "my.Custom": "Report",
}


@dataclass
class Dag:
    kinds: list[str]
    states: list[str]
    reads: list[list[tuple[int, bool]]]  # per execution: (artifact index, read before it was written)


@st.composite
def dags(draw: st.DrawFn) -> Dag:
    n = draw(st.integers(2, 11))
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(n)]
    if "Trainer" not in kinds:
        kinds[draw(st.integers(1, n - 1))] = "Trainer"
    states = [
        "COMPLETE" if k == "Trainer" else draw(st.sampled_from(["COMPLETE"] * 6 + ["CACHED", "FAILED"])) for k in kinds
    ]
    # execution i writes artifact i; it reads earlier artifacts, occasionally with a read time before the write
    reads = [
        sorted({a: draw(st.integers(0, 9)) == 0 for a in draw(st.lists(st.integers(0, i - 1), max_size=3))}.items())
        if i
        else []
        for i in range(n)
    ]
    return Dag(kinds, states, reads)


def brute_force_members(dag: Dag) -> dict[int, tuple[set[int], set[int]]]:
    """Rule by rule, with every path enumerated. Execution i starts at 10i, ends at 10i + 5 and writes
    artifact i at its end; a read is at the reader's start (or, when flagged, at time 0: before the write)."""
    n = len(dag.kinds)
    cached = {i for i in range(n) if dag.states[i] == "CACHED"}
    trainers = [i for i in range(n) if dag.kinds[i] == "Trainer" and i not in cached]
    read_time = {(a, x): (0 if early else 10 * x) for x in range(n) for a, early in dag.reads[x]}

    def hop(p: int, x: int) -> bool:  # p writes artifact p at 10p+5; x reads it at read_time
        return (p, x) in read_time and 10 * p + 5 <= read_time[(p, x)]

    def paths(src: int, dst: int, through_ok: Any) -> bool:
        """Is there a path src -> ... -> dst whose inner executions all satisfy through_ok? (enumerated)"""
        stack: list[list[int]] = [[src]]
        while stack:
            path = stack.pop()
            last = path[-1]
            for y in range(n):
                if y in path or not hop(last, y) or y in cached:
                    continue
                if y == dst:
                    return True
                if through_ok(y):
                    stack.append([*path, y])
        return False

    def not_trainer(y: int) -> bool:
        return dag.kinds[y] != "Trainer"

    leads = {
        y for y in range(n) if y not in cached and not_trainer(y) and any(paths(y, t, not_trainer) for t in trainers)
    }
    members: dict[int, tuple[set[int], set[int]]] = {}
    for t in trainers:
        up = {t} | {x for x in range(n) if x not in cached and not_trainer(x) and paths(x, t, not_trainer)}
        arts_up = {a for x in up for a in [x, *(a for a, _ in dag.reads[x])]}
        spans = {a for a in arts_up if OUT_TYPE[dag.kinds[a]] in ("Examples", "ExampleStatistics")}
        analysis = {
            x
            for x in range(n)
            if dag.kinds[x] in ANALYSIS
            and x not in cached
            and any(a in spans and read_time[(a, x)] <= 10 * t + 5 for a, _ in dag.reads[x])
        }
        down = {y for y in range(n) if y not in cached and not_trainer(y) and paths(t, y, not_trainer)}
        execs = up | analysis | (down - leads)
        arts = {a for x in execs for a in [x, *(a for a, _ in dag.reads[x])]}
        members[t] = (execs, arts)
    return members


def write_dag(dag: Dag, path: Path) -> None:
    b = MlmdBuilder()
    for i, kind in enumerate(dag.kinds):
        x = b.execution(kind, 10 * i, 10 * i + 5, state=dag.states[i])
        assert x == i + 1
    for i, kind in enumerate(dag.kinds):
        a = b.artifact(
            OUT_TYPE[kind], 10 * i + 5, span=1 if OUT_TYPE[kind] in ("Examples", "ExampleStatistics") else None
        )
        assert a == i + 1
        b.write_event(i + 1, a)
    for x, reads in enumerate(dag.reads):
        for a, early in reads:
            b.read(a + 1, x + 1, time=0 if early else 10 * x)
    b.write(path)


@given(dag=dags())
def test_graphlet_membership_equals_brute_force_paths(_session_warehouse: Warehouse, dag: Dag) -> None:
    wh = _session_warehouse
    wh.run_batched("admin/clear_graph")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.sqlite"
        write_dag(dag, path)
        Loader(wh).load(str(path), store="t")
    build_graphlets(wh)
    expected = brute_force_members(dag)
    got = {t - 1: (g.execs, g.arts) for t, g in stored_graphlets(wh, "t").items()}
    shifted = {t: ({x - 1 for x in ex}, {a - 1 for a in ar}) for t, (ex, ar) in got.items()}
    assert shifted == expected, f"kinds={dag.kinds} states={dag.states} reads={dag.reads}"
