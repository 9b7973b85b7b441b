"""The baseline users write first: one auto-commit ``MERGE`` per MLMD row, no batching.

Same graph model and the same property shaping as ``mlprov load`` (it reuses the loader's ``MetadataSource`` with a
batch of one row, so every row is read, transformed and written on its own: a property query per
node, an ``EventPath`` query per event, one Bolt round trip and one transaction commit per graph
element). No watermark, no :Store bookkeeping: it is only here to be timed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from mlprov.db import Warehouse
from mlprov.loader.operators import OperatorMap
from mlprov.loader.sources import Watermark, open_source


@dataclass
class NaiveReport:
    """What the naive loader wrote and where its time went."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def elements(self) -> int:
        return sum(self.rows.values())


def naive_load(wh: Warehouse, path: str, store: str) -> NaiveReport:
    """Load the MLMD SQLite store at ``path`` row by row, each element in its own transaction."""
    started = time.perf_counter()
    report = NaiveReport()
    reader = open_source(path, store=store, operators=OperatorMap.load())
    try:
        wh.apply_schema("schema/constraints")  # the naive user is given the same constraints
        wm = Watermark()
        write = 0.0

        def run(name: str, table: str, **params: object) -> None:
            nonlocal write
            t = time.perf_counter()
            wh.run_batched(name, **params)
            write += time.perf_counter() - t
            report.rows[table] = report.rows.get(table, 0) + 1

        for rows in reader.contexts(wm, 1):
            for row in rows:
                run("bench/naive_context", "contexts", uid=row["uid"], props=row["props"], labels=row["labels"])
        for rows in reader.executions(wm, 1):
            for row in rows:
                run("bench/naive_execution", "executions", uid=row["uid"], props=row["props"])
        for rows in reader.artifacts(wm, 1):
            for row in rows:
                run("bench/naive_artifact", "artifacts", uid=row["uid"], props=row["props"])
        for links, _ in reader.parent_contexts(1):
            for link in links:
                run("bench/naive_parent_context", "parent_contexts", child=link["child"], parent=link["parent"])
        for inputs, outputs, _ in reader.events(wm, 1):
            for row in inputs:
                run("bench/naive_input", "events", **row)
            for row in outputs:
                run("bench/naive_output", "events", **row)
        for links, _ in reader.associations(wm, 1):
            for link in links:
                run("bench/naive_association", "associations", node=link["node"], context=link["context"])
        for links, _ in reader.attributions(wm, 1):
            for link in links:
                run("bench/naive_attribution", "attributions", node=link["node"], context=link["context"])
        report.write_seconds = write
    finally:
        reader.close()
    report.seconds = time.perf_counter() - started
    return report
