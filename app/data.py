"""What the app reads from the warehouse: named queries in, pandas frames out (no Streamlit here).

Every page reads through a :class:`Reader`, which runs named queries from ``cypher/`` (the app's own
in ``cypher/app/``, the analysts' library where it fits), records each one it ran (so the page can
show the Cypher, folded) and keeps answers for a short time (``ttl_s``) so that moving a slider does
not query Neo4j again. Benchmarks and tests use ``Reader(wh, ttl_s=0)`` to measure the real cost.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mlprov.analysis.library import Result, run_analyst
from mlprov.db import Row, Warehouse
from mlprov.loader.operators import KINDS

DEFAULT_TTL_S = 60.0
PAGE_SIZES = (100, 250, 500, 1000)
DEFAULT_PAGE_SIZE = 250
MAX_EDGES = 600
HISTORY_K = 3

# Operator kinds in pipeline order (docs/graph-model.md), so the trace's lanes read top to bottom.
KIND_ORDER = KINDS
STAGE_ORDER = (
    "ingest",
    "data-validation",
    "preprocessing",
    "training",
    "model-validation",
    "deployment",
    "other",
)

_cache: dict[str, tuple[float, list[Row]]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every cached answer (after a load, a prediction, or between tests)."""
    with _cache_lock:
        _cache.clear()


@dataclass(frozen=True)
class Ran:
    """One named query a page ran: what to show in its "Cypher" expander."""

    name: str
    params: dict[str, Any]
    rows: int
    seconds: float
    cached: bool


@dataclass
class Reader:
    """Runs named read queries for one page run and remembers which ones it ran."""

    wh: Warehouse
    ttl_s: float = DEFAULT_TTL_S
    ran: list[Ran] = field(default_factory=list)

    def rows(self, name: str, /, **params: Any) -> list[Row]:
        key = json.dumps(
            [self.wh.connection.uri, self.wh.connection.database, name, params], sort_keys=True, default=str
        )
        now = time.monotonic()
        if self.ttl_s > 0:
            with _cache_lock:
                hit = _cache.get(key)
            if hit is not None and now - hit[0] < self.ttl_s:
                self.ran.append(Ran(name, params, len(hit[1]), 0.0, True))
                return hit[1]
        rows = self.wh.read(name, **params)
        self.ran.append(Ran(name, params, len(rows), time.monotonic() - now, False))
        if self.ttl_s > 0:
            with _cache_lock:
                _cache[key] = (time.monotonic(), rows)
        return rows

    def frame(self, name: str, columns: Sequence[str], /, **params: Any) -> pd.DataFrame:
        """The rows of a named query as a frame with these columns (also when there are no rows)."""
        return pd.DataFrame(self.rows(name, **params), columns=list(columns))


def to_time(ms: Any) -> pd.Timestamp | None:
    """Milliseconds since the epoch as a UTC timestamp (None stays None)."""
    if ms is None or (isinstance(ms, float) and math.isnan(ms)):
        return None
    return pd.Timestamp(int(ms), unit="ms", tz="UTC")


TIME_FORMAT = "YYYY-MM-DD HH:mm:ss"  # Streamlit's DatetimeColumn format: UTC to the second


def human_time(value: Any) -> str:
    """A time (ms since the epoch or a timestamp) as ``2024-01-04 02:55:02 UTC``; missing is "–"."""
    ts = value if isinstance(value, pd.Timestamp) else to_time(value)
    if ts is None or pd.isna(ts):
        return "–"
    return f"{ts.tz_convert('UTC') if ts.tzinfo else ts:%Y-%m-%d %H:%M:%S} UTC"


def stage_label(stage: str) -> str:
    """Stages are spelled with hyphens everywhere in the app (graphlet properties use underscores)."""
    return stage.replace("_", "-")


def browser_url(http_uri: str, statement: str, params: dict[str, Any]) -> str:
    """A Neo4j Browser address whose editor is prefilled with the parameters (`:param`) and the query."""
    from urllib.parse import quote

    lines = [f":param {name} => {json.dumps(value)}" for name, value in params.items()]
    return f"{http_uri.rstrip('/')}/browser/?cmd=edit&arg={quote(chr(10).join([*lines, statement]))}"


def time_columns(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Convert ms-since-epoch columns to UTC datetimes in place (for tables and charts)."""
    for c in columns:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c], unit="ms", utc=True)
    return df


# -- Overview -----------------------------------------------------------------------------------


@dataclass
class Overview:
    totals: dict[str, Any]
    stores: pd.DataFrame
    cost_by_stage: pd.DataFrame
    models_per_day: pd.DataFrame

    @property
    def push_rate(self) -> float | None:
        decided = int(self.totals.get("decided") or 0)
        return int(self.totals.get("pushed") or 0) / decided if decided else None


STORE_COLUMNS = (
    "name",
    "source",
    "schema_version",
    "status",
    "executions",
    "artifacts",
    "contexts",
    "events",
    "dangling",
    "loaded_at",
)


def store_names(r: Reader) -> list[str]:
    return [str(row["name"]) for row in r.rows("load/stores")]


def overview(r: Reader, store: str | None) -> Overview:
    totals = r.rows("app/overview_totals", store=store)[0]
    stores = r.frame("load/stores", STORE_COLUMNS)
    per_store = r.frame("app/store_graphlets", ("name", "pipelines", "graphlets", "pushed", "decided"))
    stores = stores.merge(per_store, on="name", how="left")
    if store is not None:
        stores = stores[stores["name"] == store]
    stores["push_rate"] = stores["pushed"] / stores["decided"].where(stores["decided"] > 0)
    time_columns(stores, "loaded_at")
    stages = r.frame("app/cost_by_stage", ("stage", "executions", "cost"), store=store)
    total_cost = float(stages["cost"].sum()) if len(stages) else 0.0
    stages["share"] = stages["cost"] / total_cost if total_cost > 0 else 0.0
    days = r.frame("app/models_per_day", ("day", "models", "pushed", "unpushed"), store=store)
    days["day"] = pd.to_datetime(days["day"])
    days["undecided"] = days["models"] - days["pushed"] - days["unpushed"]
    return Overview(dict(totals), stores.reset_index(drop=True), stages, days)


# -- Pipelines ----------------------------------------------------------------------------------

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
)


def pipelines(r: Reader, store: str | None) -> pd.DataFrame:
    """Every pipeline (library/pipelines) with its graphlets, pushed graphlets and lifespan in days."""
    df = r.frame("library/pipelines", PIPELINE_COLUMNS, store=store)
    counts = r.frame(
        "app/pipeline_graphlet_counts", ("store", "pipeline", "graphlets", "pushed", "decided"), store=store
    )
    df = df.merge(counts, on=["store", "pipeline"], how="left")
    for c in ("graphlets", "pushed", "decided"):
        df[c] = df[c].fillna(0).astype(int)
    span = pd.to_numeric(df["last_updated"]) - pd.to_numeric(df["first_created"])
    df["lifespan_days"] = (span / 86_400_000.0).round(2)
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


def pipeline_extent(r: Reader, store: str, pipeline: str) -> Extent:
    row = r.rows("app/pipeline_extent", store=store, pipeline=pipeline)[0]
    return Extent(
        executions=int(row["executions"] or 0),
        first_created=row["first_created"],
        last_updated=row["last_updated"],
        graphlets=int(row["graphlets"] or 0),
        pushed=int(row["pushed"] or 0),
    )


def pages(total: int, page_size: int) -> int:
    return max(1, math.ceil(total / max(1, page_size)))


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
)


def membership(row: Mapping[str, Any], graphlet_pushed: Mapping[str, Any]) -> str:
    """How an execution relates to model graphlets, for colouring the trace."""
    holders = list(row.get("graphlets") or [])
    if not holders:
        return "in no graphlet"
    if any(graphlet_pushed.get(g) is True for g in holders):
        return "in a pushed graphlet"
    if any(graphlet_pushed.get(g) is False for g in holders):
        return "in unpushed graphlets only"
    return "in undecided graphlets only"


def pipeline_executions(
    r: Reader, store: str, pipeline: str, page: int, page_size: int, graphlets: pd.DataFrame
) -> pd.DataFrame:
    """One page (1-based) of the pipeline's executions in time order, with their graphlet membership."""
    df = r.frame(
        "app/pipeline_executions",
        EXECUTION_COLUMNS,
        store=store,
        pipeline=pipeline,
        skip=(page - 1) * page_size,
        limit=page_size,
    )
    pushed = dict(zip(graphlets["uid"], graphlets["pushed"], strict=False)) if len(graphlets) else {}
    df["membership"] = [membership({"graphlets": g}, pushed) for g in df["graphlets"]]
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


def outcome(pushed: Any) -> str:
    if pushed is True:
        return "pushed"
    if pushed is False:
        return "unpushed"
    return "undecided"


def pipeline_graphlets(r: Reader, store: str, pipeline: str) -> pd.DataFrame:
    """The pipeline's graphlets in trainer order, with an outcome label and a lane for drawing
    overlapping graphlets on separate rows."""
    df = r.frame("app/pipeline_graphlets", GRAPHLET_COLUMNS, store=store, pipeline=pipeline)
    df["outcome"] = [outcome(p) for p in df["pushed"]]
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


def pipeline_activity(r: Reader, store: str, pipeline: str) -> pd.DataFrame:
    df = r.frame("app/pipeline_activity", ("day", "kind", "executions", "cost"), store=store, pipeline=pipeline)
    df["day"] = pd.to_datetime(df["day"])
    df["kind"] = df["kind"].fillna("Custom")
    return df


# -- Graphlet -----------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    "graphlet",
    "pipeline",
    "trainer_uid",
    "pushed",
    "graphlet_cost",
    "member",
    "node",
    "kind",
    "state",
    "created",
)


def graphlet_members(r: Reader, uid: str) -> pd.DataFrame:
    return time_columns(r.frame("library/graphlet", MEMBER_COLUMNS, uid=uid), "created")


def graphlet_edges(r: Reader, uid: str, limit: int = MAX_EDGES) -> pd.DataFrame:
    return r.frame("app/graphlet_edges", ("source", "target", "rel"), uid=uid, limit=limit)


def jaccard(a: Sequence[str], b: Sequence[str]) -> float | None:
    """|A ∩ B| / |A ∪ B|; None when both are empty (nothing to compare)."""
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return None
    return len(sa & sb) / len(sa | sb)


HISTORY_FIELDS = (
    "started",
    "ended",
    "trainer_state",
    "pushed",
    "cost",
    "cost_training",
    "n_executions",
    "n_artifacts",
    "push_probability",
)


def graphlet_neighbours(r: Reader, uid: str, k: int = HISTORY_K) -> pd.DataFrame:
    """The graphlet (offset 0) with up to k graphlets before and after it along NEXT; each with the
    Jaccard similarity of its data spans to the graphlet's, and its cost relative to the graphlet's."""
    rows = r.rows("app/graphlet_neighbours", uid=uid, k=max(1, min(10, int(k))))
    me = next((row for row in rows if row["offset"] == 0), None)
    records = []
    for row in rows:
        props = row["props"] or {}
        rec: dict[str, Any] = {"offset": row["offset"], "uid": row["uid"], "trainer_type": row["trainer_type"]}
        for f in HISTORY_FIELDS:
            rec[f] = props.get(f)
        rec["spans"] = len(row["spans"] or [])
        rec["span_jaccard"] = jaccard(row["spans"] or [], me["spans"] or []) if me is not None else None
        records.append(rec)
    df = pd.DataFrame(records, columns=["offset", "uid", "trainer_type", *HISTORY_FIELDS, "spans", "span_jaccard"])
    if me is not None and len(df):
        my_cost = (me["props"] or {}).get("cost")
        df["cost_vs_this"] = df["cost"] / my_cost if my_cost else None
    else:
        df["cost_vs_this"] = None
    return time_columns(df, "started", "ended")


def graphlet_search(r: Reader, text: str, limit: int = 50) -> pd.DataFrame:
    df = r.frame(
        "app/graphlet_search", ("uid", "store", "pipeline", "trainer_created", "pushed"), text=text, limit=limit
    )
    return time_columns(df, "trainer_created")


def pipelines_with_graphlets(r: Reader, store: str | None) -> pd.DataFrame:
    return r.frame("app/pipeline_graphlet_counts", ("store", "pipeline", "graphlets", "pushed", "decided"), store=store)


def subgraph_dot(members: pd.DataFrame, edges: pd.DataFrame, highlight: str | None = None) -> str:
    """A Graphviz DOT drawing of a graphlet's members (executions as boxes, artifacts as ellipses),
    left to right along the data flow. Labels are escaped; nothing here reaches Neo4j."""

    def esc(text: Any) -> str:
        return str(text).replace("\\", "\\\\").replace('"', '\\"')

    def q(text: Any) -> str:
        return '"' + esc(text) + '"'

    lines = ["digraph graphlet {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    for m in members.to_dict("records"):
        uid = str(m["member"])
        short = uid.rsplit(":", 2)
        ident = ":".join(short[-2:]) if len(short) >= 2 else uid
        label = '"' + "\\n".join(esc(part) for part in (m["kind"] or m["node"], ident)) + '"'
        if m["node"] == "Execution":
            colour = {"FAILED": "#f4b6b6", "CACHED": "#dddddd"}.get(str(m["state"]), "#cfe3f7")
            style = f'shape=box, style="rounded,filled", fillcolor="{colour}"'
            if uid == highlight:
                style += ", penwidth=3"
        else:
            style = 'shape=ellipse, style=filled, fillcolor="#fdf3d0"'
        lines.append(f"  {q(uid)} [label={label}, {style}];")
    for e in edges.to_dict("records"):
        lines.append(f"  {q(e['source'])} -> {q(e['target'])};")
    lines.append("}")
    return "\n".join(lines)


# -- Predictor ----------------------------------------------------------------------------------

PREDICTION_COLUMNS = ("uid", "store", "pipeline", "pushed", "cost", "push_probability", "model_version")


def predictions(r: Reader, store: str | None) -> pd.DataFrame:
    """Decided graphlets that carry a prediction written back by the predictor."""
    return r.frame("app/predictions", PREDICTION_COLUMNS, store=store)


def freshness_waste(df: pd.DataFrame, thresholds: Sequence[float] | None = None) -> pd.DataFrame:
    """The freshness–waste curve (docs/predictor.md) of predictions: at threshold t a graphlet is run when
    its push probability is ≥ t. freshness = share of pushed graphlets still run; waste = share of
    the unpushed graphlets' cost still spent; waste_removed = 1 − waste."""
    ts = list(thresholds) if thresholds is not None else [i / 100 for i in range(101)]
    pushed = df[df["pushed"] == True]  # noqa: E712 (object column: True, False or None)
    unpushed = df[df["pushed"] == False]  # noqa: E712
    n_pushed = len(pushed)
    waste_total = float(unpushed["cost"].fillna(0).sum())
    out = []
    for t in ts:
        fresh = float((pushed["push_probability"] >= t).sum()) / n_pushed if n_pushed else float("nan")
        spent = float(unpushed.loc[unpushed["push_probability"] >= t, "cost"].fillna(0).sum())
        waste = spent / waste_total if waste_total > 0 else float("nan")
        out.append({"threshold": t, "freshness": fresh, "waste": waste, "waste_removed": 1 - waste})
    return pd.DataFrame(out, columns=["threshold", "freshness", "waste", "waste_removed"])


# -- Console ------------------------------------------------------------------------------------


def console_run(wh: Warehouse, text: str, params: Mapping[str, Any], limit: int, timeout_s: float) -> Result:
    """Analyst Cypher, read-only: the plan guard of ``mlprov query`` then a read transaction."""
    return run_analyst(wh, text, params, limit=limit, timeout_s=timeout_s)


def result_frame(result: Result) -> pd.DataFrame:
    """Rows as a frame; nested values (maps, lists, nodes) as JSON text so the table and CSV hold them."""

    def cell(v: Any) -> Any:
        if isinstance(v, dict | list | tuple):
            return json.dumps(v, default=str)
        if isinstance(v, bytes):
            return v.hex()
        return v

    return pd.DataFrame([{c: cell(row.get(c)) for c in result.columns} for row in result.rows], columns=result.columns)


@dataclass
class GraphletInfo:
    uid: str
    props: dict[str, Any]
    previous: str | None
    next: str | None
    trainer: dict[str, Any]

    def contributions(self) -> pd.DataFrame:
        """The per-feature contributions written back with the prediction (``contributions``: JSON
        text, a list of {feature, value, contribution} as `mlprov predict` writes it, or a map
        feature → contribution), largest magnitude first."""
        raw = self.props.get("contributions")
        rows: list[dict[str, Any]] = []
        parsed: Any = None
        if isinstance(raw, str):
            try:
                parsed = json.loads(raw)
            except json.JSONDecodeError:
                parsed = None
        if isinstance(parsed, dict):
            parsed = [{"feature": k, "value": None, "contribution": v} for k, v in parsed.items()]
        for item in parsed if isinstance(parsed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("contribution"), int | float):
                rows.append(
                    {
                        "feature": str(item.get("feature")),
                        "value": item.get("value"),
                        "contribution": float(item["contribution"]),
                    }
                )
        df = pd.DataFrame(rows, columns=["feature", "value", "contribution"])
        return df.reindex(df["contribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def graphlet(r: Reader, uid: str) -> GraphletInfo | None:
    rows = r.rows("app/graphlet", uid=uid)
    if not rows:
        return None
    row = rows[0]
    return GraphletInfo(uid, dict(row["props"] or {}), row["previous"], row["next"], dict(row["trainer"] or {}))
