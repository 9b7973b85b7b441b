"""The Graphlet page's data: one graphlet, its members and edges, its neighbours along NEXT, the search
and the picker, and the subgraph drawing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlprov.app import shared_data
from mlprov.app.shared_data import PageEntry, Reader, time_columns

PAGE = PageEntry("Graphlet", ":material/hub:", order=30)

MAX_EDGES = 600
SEPARATOR = "  ·  "
HISTORY_K = 3


MEMBER_COLUMNS = ("member", "node", "kind", "state", "created")
MEMBER_PAGE_SIZE = 100
MAX_DRAWN = 300


def graphlet_members(r: Reader, uid: str, page: int = 1, page_size: int = MEMBER_PAGE_SIZE) -> pd.DataFrame:
    """One page (1-based) of the graphlet's members in time order."""
    df = r.frame("app/graphlet_members", MEMBER_COLUMNS, uid=uid, skip=(page - 1) * page_size, limit=page_size)
    return time_columns(df, "created")


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


def graphlet_search(r: Reader, stores: Sequence[str], text: str, limit: int = 50) -> pd.DataFrame:
    df = r.frame(
        "app/graphlet_search",
        ("uid", "store", "pipeline", "trainer_created", "pushed"),
        stores=list(stores),
        text=text,
        limit=limit,
    )
    return time_columns(df, "trainer_created")


def pipelines_with_graphlets(r: Reader, stores: Sequence[str]) -> pd.DataFrame:
    """The pipelines holding graphlets (from their summaries: the same cached answer as the Pipelines page's)."""
    df = r.frame("app/pipeline_summaries", ("store", "pipeline", "graphlets"), stores=list(stores))
    return df[df["graphlets"].fillna(0) > 0].reset_index(drop=True)


@dataclass(frozen=True)
class Choices:
    """The graphlets the Graphlet page's picker lists: a window of the pipeline's graphlets in trainer order
    (``first``: the position of the first listed, 0-based) and how many the pipeline holds."""

    uids: list[str]
    labels: dict[str, str]
    first: int
    total: int


def graphlet_choices(r: Reader, store: str, pipeline: str, uid: str | None) -> Choices:
    """At most :data:`shared_data.MAX_CHOICES` graphlets of the pipeline around ``uid`` (its latest ones when
    ``uid`` is None or not one of them), each labelled with its trainer's start and its outcome: a picker
    of thousands of graphlets cost every page load the reading, labelling and drawing of all of them."""
    rows = r.rows("app/graphlet_choices", store=store, pipeline=pipeline, uid=uid, limit=shared_data.MAX_CHOICES)
    labels = {
        str(row["uid"]): SEPARATOR.join(
            (str(row["uid"]), shared_data.human_time(row["trainer_created"]), shared_data.outcome(row["pushed"]))
        )
        for row in rows
    }
    first = int(rows[0]["position"]) if rows else 0
    return Choices(list(labels), labels, first, int(rows[0]["total"]) if rows else 0)


def subgraph_dot(members: pd.DataFrame, edges: pd.DataFrame, highlight: str | None = None) -> str:
    """A Graphviz DOT drawing of a graphlet's members (executions as boxes, artifacts as ellipses),
    left to right along the data flow; edges between drawn members only. Labels are escaped; nothing
    here reaches Neo4j."""

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
    drawn = {str(m) for m in members["member"]}
    for e in edges.to_dict("records"):
        if str(e["source"]) not in drawn or str(e["target"]) not in drawn:
            continue
        lines.append(f"  {q(e['source'])} -> {q(e['target'])};")
    lines.append("}")
    return "\n".join(lines)


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
