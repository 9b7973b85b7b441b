"""The app's summaries (docs/app.md#summaries): per-pipeline and per-store numbers that the pages read
instead of aggregating the trace on every view.

``mlprov graphlets`` refreshes the pipelines it rebuilt (every pipeline of a store built whole; only the
changed pipelines of a store whose other pipelines' lineage did not change) and then the store;
``mlprov predict`` rewrites only the predictions' part (each pipeline's latest prediction, the store's
prediction histogram) of the pipelines whose graphlets it predicted and of their stores. Pipelines are
written in batches (``cypher/summary/pipelines``, one bounded transaction per batch, split on a
memory-limit failure); a store summary aggregates per stage and per day and writes one node. Each store
summary records the load time it was computed from, so the app can say when a reload made it stale.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mlprov.db import Warehouse

PIPELINE_BATCH = 20
PREDICTION_BATCH = 500  # a pipeline's latest prediction reads only its predicted graphlets


@dataclass
class SummaryReport:
    pipelines: int = 0
    stores: int = 0
    deleted: int = 0


def _now() -> int:
    return int(time.time() * 1000)


def refresh_store(wh: Warehouse, store: str, pipelines: Sequence[str] | None = None) -> SummaryReport:
    """Rewrite the summaries of these pipelines of the store (all of them when None, and drop those of
    pipelines no longer loaded), then the store's own summary."""
    wh.apply_schema("schema/constraints")
    report = SummaryReport()
    if pipelines is None:
        names = [str(r["pipeline"]) for r in wh.read("summary/pipelines_of_store", store=store)]
        report.deleted = int(wh.write("summary/prune", store=store, pipelines=names)[0]["deleted"])
    else:
        names = sorted(set(pipelines))
    rows = [{"store": store, "pipeline": p} for p in names]
    if rows:
        written = wh.write_rows("summary/pipelines", rows, batch=PIPELINE_BATCH, now=_now())
        report.pipelines = sum(int(r["written"]) for r in written)
        wh.write_rows("summary/pipeline_predictions", rows, batch=PREDICTION_BATCH, now=_now())
    report.stores = len(wh.write("summary/store", store=store, now=_now()))
    wh.write("summary/store_predictions", store=store, now=_now())
    return report


def refresh_predictions(
    wh: Warehouse, uids: Iterable[str], stamps: Mapping[tuple[str, str], str] | None = None
) -> SummaryReport:
    """Rewrite the predictions' part of the summaries of the pipelines (and their stores) that hold these
    graphlets; a pipeline without a summary yet gets its whole summary written, and so does a store (its
    pipelines' summaries are there already). ``stamps`` (store, pipeline -> stamp) records on each pipeline's
    summary what its predictions were made from ("" or a pipeline left out removes the stamp); without it
    the recorded stamps are kept."""
    by_store: dict[str, list[str]] = {}
    ids = sorted(set(uids))
    for i in range(0, len(ids), 5000):
        for r in wh.read("summary/pipelines_of_graphlets", uids=ids[i : i + 5000]):
            by_store.setdefault(str(r["store"]), []).append(str(r["pipeline"]))
    report = SummaryReport()
    for store, pipelines in sorted(by_store.items()):
        rows = [
            {"store": store, "pipeline": p, **({} if stamps is None else {"stamp": stamps.get((store, p), "")})}
            for p in pipelines
        ]
        done = wh.write_rows("summary/pipeline_predictions", rows, batch=PREDICTION_BATCH, now=_now())
        missing = [str(r["pipeline"]) for r in done if not r["written"]]
        if missing or not wh.write("summary/store_predictions", store=store, now=_now()):
            report.stores += refresh_store(wh, store, missing).stores
        else:
            report.stores += 1
        report.pipelines += len(pipelines)
    return report


def ensure_store(wh: Warehouse, store: str) -> bool:
    """Write the store's summaries unless they were computed from its current load; True when written."""
    rows = wh.read("summary/current", store=store)
    if rows and rows[0]["current"]:
        return False
    refresh_store(wh, store)
    return True
