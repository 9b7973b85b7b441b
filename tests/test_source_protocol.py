"""The contributor guide's worked example (docs/contributing.md, "A new kind of source"): a source that is
not MLMD's SQL schema, written against the ``MetadataSource`` protocol alone, loads through the loader.

``RecordSource`` holds a tiny pipeline run as Python records (as a Kubeflow v2 or OpenLineage reader
would after parsing its events) and shapes them with the shared ``Shaper``; nothing in ``loader/`` knows
about it. The test checks what a user would: the graph it leaves, the store's bookkeeping, a no-op
reload and an incremental reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlprov.db import Warehouse
from mlprov.loader.load import Loader
from mlprov.loader.operators import OperatorMap
from mlprov.loader.sources import MetadataSource, Row, Watermark
from mlprov.loader.transform import Shaper, is_input
from tests.graphs import store_graph


@dataclass
class Records:
    """One store's records: (id, type, name, updated ms, properties) per node; links by ids."""

    contexts: list[tuple[int, str, str, int]] = field(default_factory=list)
    executions: list[tuple[int, str, str, int, dict[str, Any]]] = field(default_factory=list)  # state
    artifacts: list[tuple[int, str, str, int, dict[str, Any]]] = field(default_factory=list)  # uri
    events: list[tuple[int, int, int, str]] = field(default_factory=list)  # id, artifact, execution, type
    associations: list[tuple[int, int, int]] = field(default_factory=list)  # id, execution, context
    attributions: list[tuple[int, int, int]] = field(default_factory=list)  # id, artifact, context


class RecordSource:
    """A ``MetadataSource`` over ``Records``: the whole of a new source kind."""

    kind = "records"
    schema_version = 1

    def __init__(self, records: Records, store: str) -> None:
        self.records = records
        self.label = f"records:{store}"
        self.shape = Shaper(store, OperatorMap())

    def current_watermark(self) -> Watermark:
        r = self.records

        def top(rows: list[Any]) -> tuple[int, int]:
            latest = max((row[3] for row in rows), default=-1)
            return latest, sum(1 for row in rows if row[3] == latest)

        (c, c_at), (x, x_at), (a, a_at) = top(r.contexts), top(r.executions), top(r.artifacts)
        return Watermark(
            artifact=a,
            execution=x,
            context=c,
            event=max((e[0] for e in r.events), default=0),
            association=max((s[0] for s in r.associations), default=0),
            attribution=max((s[0] for s in r.attributions), default=0),
            artifact_at=a_at,
            execution_at=x_at,
            context_at=c_at,
        )

    def is_empty(self) -> bool:
        return not (self.records.contexts or self.records.executions or self.records.artifacts)

    def fingerprint(self) -> dict[str, Any]:
        return {"first_context": self.records.contexts[0][0] if self.records.contexts else None}

    def identity_conflict(self, stored: dict[str, Any]) -> str | None:
        return None if stored == self.fingerprint() else f"first context {stored} != {self.fingerprint()}"

    def pending_counts(self, wm: Watermark) -> dict[str, int]:
        r = self.records
        return {
            "contexts": sum(1 for c in r.contexts if c[3] >= wm.context),
            "executions": sum(1 for x in r.executions if x[3] >= wm.execution),
            "artifacts": sum(1 for a in r.artifacts if a[3] >= wm.artifact),
            "events": sum(1 for e in r.events if e[0] > wm.event),
            "associations": sum(1 for s in r.associations if s[0] > wm.association),
            "attributions": sum(1 for s in r.attributions if s[0] > wm.attribution),
            "parent_contexts": 0,
        }

    def dangling_counts(self) -> dict[str, int]:
        return {"events": 0, "links": 0}

    def present_uids(self) -> Iterator[str]:
        return iter(())  # records are never deleted in this example

    def size_bytes(self) -> int:
        return 0

    def contexts(self, wm: Watermark, batch: int) -> Iterator[list[Row]]:
        yield [self.shape.context(i, t, n, u, u, {}) for i, t, n, u in self.records.contexts if u >= wm.context]

    def executions(self, wm: Watermark, batch: int) -> Iterator[list[Row]]:
        yield [
            self.shape.execution(i, t, state, f"run-{i}", u - 60_000, u, props)
            for i, t, state, u, props in self.records.executions
            if u >= wm.execution
        ]

    def artifacts(self, wm: Watermark, batch: int) -> Iterator[list[Row]]:
        yield [
            self.shape.artifact(i, t, uri, "LIVE", None, u, u, props)
            for i, t, uri, u, props in self.records.artifacts
            if u >= wm.artifact
        ]

    def parent_contexts(self, batch: int) -> Iterator[tuple[list[Row], int]]:
        yield [], 0

    def events(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], list[Row], int]]:
        rows = [(t, self.shape.event(i, a, x, t, None, [])) for i, a, x, t in self.records.events if i > wm.event]
        yield [row for t, row in rows if is_input(t)], [row for t, row in rows if not is_input(t)], 0

    def associations(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], int]]:
        yield [self.shape.association(x, c) for i, x, c in self.records.associations if i > wm.association], 0

    def attributions(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], int]]:
        yield [self.shape.attribution(a, c) for i, a, c in self.records.attributions if i > wm.attribution], 0

    def close(self) -> None:
        pass


def _run(records: Records) -> Records:
    """Pipeline ``taxi`` with one run: ExampleGen → Trainer (examples in, model out)."""
    records.contexts += [(1, "pipeline", "taxi", 1_000), (2, "pipeline_run", "taxi-run-1", 1_000)]
    records.executions += [
        (1, "tfx.components.example_gen.component.CsvExampleGen", "COMPLETE", 2_000, {}),
        (2, "tfx.components.trainer.component.Trainer", "COMPLETE", 3_000, {"c_cpu_seconds": 42.5}),
    ]
    records.artifacts += [
        (1, "Examples", "/data/examples/1", 2_000, {"p_span": 7}),
        (2, "Model", "/data/model/2", 3_000, {}),
    ]
    records.events += [(1, 1, 1, "OUTPUT"), (2, 1, 2, "INPUT"), (3, 2, 2, "OUTPUT")]
    records.associations += [(1, 1, 1), (2, 2, 1), (3, 1, 2), (4, 2, 2)]
    records.attributions += [(1, 1, 1), (2, 2, 1)]
    return records


def _graph(wh: Warehouse, store: str) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str, str]]]:
    nodes, rels = store_graph(wh, store)
    import json

    by_uid = {}
    for text in nodes:
        labels, props = json.loads(text)
        by_uid[props["uid"]] = {"labels": labels, **props}
    links = sorted((src, kind, dst) for src, kind, dst, _ in (json.loads(t) for t in rels))
    return by_uid, links


def test_a_source_written_against_the_protocol_loads_through_the_loader(warehouse: Warehouse) -> None:
    records = _run(Records())
    source: MetadataSource = RecordSource(records, "demo")  # the protocol is all the loader sees
    loader = Loader(warehouse)

    report = loader.load_source(source, "demo")
    assert report.rows["executions"] == 2 and report.rows["events"] == 3

    nodes, links = _graph(warehouse, "demo")
    trainer = nodes["demo:e:2"]
    assert "Execution" in trainer["labels"]
    assert (trainer["kind"], trainer["stage"], trainer["state"]) == ("Trainer", "training", "COMPLETE")
    assert (trainer["cost"], trainer["cost_source"]) == (42.5, "cpu_seconds")
    assert trainer["pipeline"] == "taxi"  # the post-load derivation ran on this source's rows
    assert nodes["demo:e:1"]["cost_source"] == "duration" and nodes["demo:e:1"]["cost"] == 60.0
    assert nodes["demo:a:1"]["span"] == 7 and "Artifact" in nodes["demo:a:1"]["labels"]
    assert "Pipeline" in nodes["demo:c:1"]["labels"]
    assert ("demo:a:1", "INPUT", "demo:e:2") in links
    assert ("demo:e:2", "OUTPUT", "demo:a:2") in links
    assert sum(1 for _, kind, _ in links if kind == "IN_CONTEXT") == 6

    stored = warehouse.read("load/store_get", name="demo")[0]["store"]
    assert (stored["status"], stored["kind"], stored["source"]) == ("complete", "records", "records:demo")
    assert (stored["n_executions"], stored["n_artifacts"], stored["n_contexts"]) == (2, 2, 2)

    assert loader.load_source(source, "demo").up_to_date  # nothing new: a no-op

    # a second run of the pipeline arrives: only it is read, and the graph grows by it
    records.contexts.append((3, "pipeline_run", "taxi-run-2", 5_000))
    records.executions.append((3, "tfx.components.trainer.component.Trainer", "FAILED", 5_000, {}))
    records.events.append((4, 1, 3, "INPUT"))
    records.associations += [(5, 3, 1), (6, 3, 3)]
    again = loader.load_source(source, "demo")
    # read: rows updated at or after the watermark (the new run, and the trainer updated exactly at it),
    # not the ExampleGen of the first run; events by id: only the new one
    assert not again.up_to_date and (again.rows["executions"], again.rows["events"]) == (2, 1)
    nodes, links = _graph(warehouse, "demo")
    assert nodes["demo:e:3"]["state"] == "FAILED" and ("demo:a:1", "INPUT", "demo:e:3") in links
    assert warehouse.read("load/store_get", name="demo")[0]["store"]["n_executions"] == 3
