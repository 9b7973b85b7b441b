"""The Pipelines page's data: the pipeline list and one pipeline's header and whole-life activity (from
the pipeline summaries), its trace one page at a time and its graphlets one page at a time, or those
overlapping a trace page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlprov.app.shared_data import PageEntry, Reader, outcome, time_columns

PAGE = PageEntry("Pipelines", ":material/timeline:", order=20)

PAGE_SIZES = (100, 250, 500, 1000)
DEFAULT_PAGE_SIZE = 250
GRAPHLET_PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_GRAPHLET_PAGE_SIZE = 10
LIST_PAGE_SIZES = (10, 25, 50, 100)  # the pipeline list, a static table: every row drawn
DEFAULT_LIST_PAGE_SIZE = 10

PIPELINE_COLUMNS = (
    "store",
    "pipeline",
    "executions",
    "runs",
    "trainer_runs",
    "pushes",
    "cost",
    "first_created",
    "last_updated",
    "graphlets",
    "pushed",
    "decided",
    "trainer_types",
    "trainer_type_graphlets",
    "latest_prediction",
    "latest_probability",
    "latest_decision",
)


def model_mix(types: Sequence[str] | None, counts: Sequence[int] | None) -> str:
    """The trainers' model types with their graphlet counts, most first: ``DNN 12, GBDT 3``."""
    return ", ".join(f"{t} {n}" for t, n in zip(types or [], counts or [], strict=False))


def pipelines(r: Reader, stores: Sequence[str]) -> pd.DataFrame:
    """Every pipeline of these stores from its summary, with its lifespan in days and model mix."""
    df = r.frame("app/pipeline_summaries", PIPELINE_COLUMNS, stores=list(stores))
    for c in ("graphlets", "pushed", "decided"):
        df[c] = df[c].fillna(0).astype(int)
    span = pd.to_numeric(df["last_updated"]) - pd.to_numeric(df["first_created"])
    df["lifespan_days"] = (span / 86_400_000.0).round(2)
    df["model_mix"] = [model_mix(t, n) for t, n in zip(df["trainer_types"], df["trainer_type_graphlets"], strict=True)]
    df = df.drop(columns=["trainer_types", "trainer_type_graphlets"])
    return time_columns(df, "first_created", "last_updated")


def filter_pipelines(df: pd.DataFrame, text: str = "", with_graphlets: bool = False) -> pd.DataFrame:
    """Pipelines whose store or name contains ``text`` (case-insensitive), optionally only those
    with model graphlets."""
    out = df
    needle = text.strip().lower()
    if needle:
        hay = (out["store"].astype(str) + " " + out["pipeline"].astype(str)).str.lower()
        out = out[hay.str.contains(needle, regex=False)]
    if with_graphlets:
        out = out[out["graphlets"] > 0]
    return out.reset_index(drop=True)


@dataclass
class Extent:
    executions: int
    first_created: int | None
    last_updated: int | None
    graphlets: int
    pushed: int
    decided: int
    activity: pd.DataFrame


def pipeline_extent(r: Reader, store: str, pipeline: str) -> Extent:
    """One pipeline's summary: its size, active period, graphlets, and executions per day and kind."""
    rows = r.rows("app/pipeline_summary", store=store, pipeline=pipeline)
    p: dict[str, Any] = dict(rows[0]["props"]) if rows else {}
    activity = pd.DataFrame(
        {
            "day": pd.to_datetime(list(p.get("activity_day") or [])),
            "kind": list(p.get("activity_kind") or []),
            "executions": list(p.get("activity_executions") or []),
            "cost": list(p.get("activity_cost") or []),
        }
    )
    return Extent(
        executions=int(p.get("executions") or 0),
        first_created=p.get("first_created"),
        last_updated=p.get("last_updated"),
        graphlets=int(p.get("graphlets") or 0),
        pushed=int(p.get("pushed") or 0),
        decided=int(p.get("decided") or 0),
        activity=activity,
    )


EXECUTION_COLUMNS = (
    "uid",
    "mlmd_id",
    "kind",
    "stage",
    "type",
    "state",
    "created",
    "updated",
    "cost",
    "inputs",
    "outputs",
    "graphlets",
    "pushed_graphlets",
    "unpushed_graphlets",
)


def membership(row: Mapping[Any, Any]) -> str:
    """How an execution relates to model graphlets, for colouring the trace."""
    if not row.get("graphlets"):
        return "in no graphlet"
    if row.get("pushed_graphlets"):
        return "in a pushed graphlet"
    if row.get("unpushed_graphlets"):
        return "in unpushed graphlets only"
    return "in undecided graphlets only"


def pipeline_executions(r: Reader, store: str, pipeline: str, page: int, page_size: int) -> pd.DataFrame:
    """One page (1-based) of the pipeline's executions in time order, with their graphlet membership."""
    df = r.frame(
        "app/pipeline_executions",
        EXECUTION_COLUMNS,
        store=store,
        pipeline=pipeline,
        skip=(page - 1) * page_size,
        limit=page_size,
    )
    df["membership"] = [membership(row) for row in df.to_dict("records")]
    df["n_graphlets"] = [len(g or []) for g in df["graphlets"]]
    df["kind"] = df["kind"].fillna("Custom")
    return time_columns(df, "created", "updated")


GRAPHLET_COLUMNS = (
    "uid",
    "trainer_uid",
    "trainer_state",
    "trainer_created",
    "started",
    "ended",
    "pushed",
    "cost",
    "n_executions",
    "n_artifacts",
    "push_probability",
    "model_version",
)


def _graphlet_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(GRAPHLET_COLUMNS))
    df["outcome"] = [outcome(p) for p in df["pushed"]]
    return df


def pipeline_graphlets(r: Reader, store: str, pipeline: str, page: int = 1, page_size: int = 100_000) -> pd.DataFrame:
    """One page (1-based) of the pipeline's graphlets in trainer order, with an outcome label."""
    rows = r.rows(
        "app/pipeline_graphlets",
        store=store,
        pipeline=pipeline,
        skip=(page - 1) * page_size,
        limit=page_size,
    )
    return _graphlet_frame(rows)


def graphlets_between(r: Reader, store: str, pipeline: str, lo: int, hi: int) -> pd.DataFrame:
    """The pipeline's graphlets overlapping [lo, hi] (ms since epoch), with a lane for drawing
    overlapping graphlets on separate rows."""
    df = _graphlet_frame(r.rows("app/graphlets_between", store=store, pipeline=pipeline, lo=lo, hi=hi))
    df["lane"] = lanes(list(df["started"]), list(df["ended"]))
    return df


def lanes(starts: Sequence[Any], ends: Sequence[Any]) -> list[int]:
    """Greedy interval colouring: the lowest lane whose last interval ended before this one starts."""
    free_at: list[float] = []
    out: list[int] = []
    for s, e in zip(starts, ends, strict=True):
        start = float(s) if s is not None and not pd.isna(s) else 0.0
        end = float(e) if e is not None and not pd.isna(e) else start
        for i, t in enumerate(free_at):
            if t < start:
                free_at[i] = end
                out.append(i)
                break
        else:
            free_at.append(end)
            out.append(len(free_at) - 1)
    return out
