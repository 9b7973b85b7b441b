"""Pipelines page: search and filter the pipelines; one pipeline's trace drawn left to right in
time, executions by operator kind, its model graphlets as bars (pushed / unpushed / undecided).

Large traces stay usable: the whole life of the pipeline is drawn aggregated (executions per day
and kind), and the execution-level trace is paged (a page is at most 1,000 executions).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from mlprov.app import common, pipelines_data, shared_data

MEMBERSHIP_COLOURS = {
    "in a pushed graphlet": "#2e7d32",
    "in unpushed graphlets only": "#c62828",
    "in undecided graphlets only": "#9e9e9e",
    "in no graphlet": "#90a4ae",
}
WHOLE_LIFE_KEY = "whole_life_shown"  # the folded whole-life chart: open when True
EXPLORE_KEY = "trace_explore_shown"  # the folded interactive trace chart: open when True
STATE_SHAPES = {"COMPLETE": "circle", "CACHED": "square", "FAILED": "cross", "RUNNING": "triangle-up"}


def label(store: str, pipeline: str) -> str:
    return f"{pipeline}  ·  {store}"


TRACE_EXECUTION_COLUMNS = ("uid", "kind", "type", "state", "created", "cost", "inputs", "outputs", "membership")
TRACE_GRAPHLET_COLUMNS = ("uid", "outcome", "trainer_state", "started", "ended", "cost", "n_executions", "n_artifacts")
HIGHLIGHTED = "datum.highlighted"
PIPELINE_NAMES = {
    "cost": "cost (s)",
    "first_created": "first",
    "last_updated": "last",
    "latest_probability": "latest push probability",
    "model_mix": "model mix",
}


def trace_data(
    execs: pd.DataFrame, graphlets: pd.DataFrame, highlight: str | None
) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """What the trace draws: the executions (only the columns drawn or shown in tooltips, each marked when
    in the highlighted graphlet), their kinds in lane order, and the graphlet bars."""
    points = execs[list(TRACE_EXECUTION_COLUMNS)].assign(
        highlighted=[bool(highlight) and highlight in (g or []) for g in execs["graphlets"]],
        graphlets_text=[", ".join(g or []) for g in execs["graphlets"]],
    )
    kinds = [k for k in shared_data.KIND_ORDER if k in set(points["kind"])] + sorted(
        set(points["kind"]) - set(shared_data.KIND_ORDER)
    )
    bars = graphlets[[*TRACE_GRAPHLET_COLUMNS, "lane"]].assign(highlighted=graphlets["uid"] == (highlight or ""))
    shared_data.time_columns(bars, "started", "ended")
    return points, kinds, bars


def trace_image(execs: pd.DataFrame, graphlets: pd.DataFrame, highlight: str | None) -> None:
    """The trace as a static image (``figures.trace``): drawn on every page load with no chart library,
    its counts written under it."""
    points, kinds, bars = trace_data(execs, graphlets, highlight)
    common.figure(
        "trace",
        points[["created", "kind", "state", "membership", "highlighted"]],
        kinds,
        bars[["started", "ended", "lane", "outcome", "highlighted"]],
        MEMBERSHIP_COLOURS,
        STATE_SHAPES,
        common.OUTCOME_COLOURS,
        caption=trace_caption(points, bars, highlight),
    )


def trace_caption(points: pd.DataFrame, bars: pd.DataFrame, highlight: str | None) -> str:
    """What the trace image shows, in words: executions by membership and state, graphlets by outcome."""
    by_membership = points["membership"].value_counts()
    by_state = points["state"].fillna("unknown").value_counts()
    by_outcome = bars["outcome"].value_counts()
    parts = [
        f"{len(points):,} executions drawn: "
        + ", ".join(f"{int(by_membership[m]):,} {m}" for m in MEMBERSHIP_COLOURS if m in by_membership)
        + " ("
        + ", ".join(f"{int(n):,} {s}" for s, n in by_state.items())
        + ")",
        f"{len(bars):,} graphlet(s): "
        + (", ".join(f"{int(by_outcome[o]):,} {o}" for o in common.OUTCOME_COLOURS if o in by_outcome) or "none"),
    ]
    if highlight:
        parts.append(f"{highlight} highlighted: {int(points['highlighted'].sum()):,} of its executions on this page")
    return " · ".join(parts)


def trace_chart(execs: pd.DataFrame, graphlets: pd.DataFrame, highlight: str | None) -> None:
    """Executions (lanes by kind) above the graphlets (bars from first member to last), one time axis,
    zoomable, with tooltips (Vega-Lite)."""
    points, kinds, bars = trace_data(execs, graphlets, highlight)
    f = common.field
    views: list[dict[str, Any]] = [
        {
            "data": {"name": "executions"},
            "mark": {"type": "point", "filled": True, "opacity": 0.85},
            "params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}],
            "height": max(160, 28 * len(kinds)),
            "encoding": {
                "x": f("created:T", title="time (UTC)"),
                "y": f("kind:N", sort=kinds, title=None),
                "color": f("membership:N", title="execution", scale=common.scale(MEMBERSHIP_COLOURS)),
                "shape": f("state:N", scale=common.scale(STATE_SHAPES)),
                "size": {"condition": {"test": HIGHLIGHTED, "value": 260}, "value": 70},
                "stroke": {"condition": {"test": HIGHLIGHTED, "value": "black"}, "value": None},
                "tooltip": [
                    f("uid:N"),
                    f("kind:N"),
                    f("type:N"),
                    f("state:N"),
                    f("created:T"),
                    f("cost:Q", format=",.1f"),
                    f("inputs:Q"),
                    f("outputs:Q"),
                    f("graphlets_text:N", title="graphlets"),
                ],
            },
        }
    ]
    data = {"executions": points}
    if len(bars):
        data["graphlets"] = bars
        views.append(
            {
                "data": {"name": "graphlets"},
                "mark": {"type": "bar", "height": 9},
                "height": max(60, 14 * (int(bars["lane"].max()) + 1)),
                "encoding": {
                    "x": f("started:T", title="time (UTC)"),
                    "x2": {"field": "ended"},
                    "y": f("lane:O", title="graphlets", axis={"labels": False, "ticks": False}),
                    "color": f("outcome:N", title="graphlet", scale=common.scale(common.OUTCOME_COLOURS)),
                    "stroke": {"condition": {"test": HIGHLIGHTED, "value": "black"}, "value": None},
                    "strokeWidth": {"condition": {"test": HIGHLIGHTED, "value": 2}, "value": 0},
                    "tooltip": [
                        f("uid:N"),
                        f("outcome:N"),
                        f("trainer_state:N"),
                        f("started:T"),
                        f("ended:T"),
                        f("cost:Q", format=",.1f"),
                        f("n_executions:Q"),
                        f("n_artifacts:Q"),
                    ],
                },
            }
        )
    common.chart({"vconcat": views, "resolve": {"scale": {"x": "shared", "color": "independent"}}}, **data)


def activity_chart(activity: pd.DataFrame) -> None:
    f = common.field
    spec = {
        "data": {"name": "activity"},
        "mark": "bar",
        "height": 180,
        "encoding": {
            "x": f("day:T", title="day (UTC)"),
            "y": f("executions:Q", stack=True, title="executions"),
            "color": f("kind:N", sort=list(shared_data.KIND_ORDER)),
            "tooltip": [f("day:T"), f("kind:N"), f("executions:Q"), f("cost:Q", format=",.0f")],
        },
    }
    common.chart(spec, activity=activity)


def choose_pipeline(table: pd.DataFrame) -> tuple[str, str] | None:
    """The pipeline selectbox (its options follow the search, at most ``shared_data.MAX_CHOICES`` of them plus the
    current choice); ?store=&pipeline= preselects one."""
    options = [label(s, p) for s, p in zip(table["store"], table["pipeline"], strict=True)]
    if not options:
        return None
    qp = st.query_params
    wanted = label(qp["store"], qp["pipeline"]) if "store" in qp and "pipeline" in qp else None
    if wanted in options and st.session_state.get("_pipelines_qp") != wanted:
        st.session_state["pipeline_choice"] = wanted
        st.session_state["_pipelines_qp"] = wanted
    if st.session_state.get("pipeline_choice") not in options:
        st.session_state["pipeline_choice"] = options[0]
    listed = shared_data.listed_choices(options, st.session_state["pipeline_choice"])
    if len(listed) < len(options):
        st.caption(f"The picker lists {len(listed):,} of {len(options):,} pipelines: search to narrow it.")
    choice = st.selectbox("Pipeline", listed, key="pipeline_choice")
    i = options.index(str(choice))
    return str(table["store"].iloc[i]), str(table["pipeline"].iloc[i])


def render() -> None:
    st.title("Pipelines")
    r = common.reader()
    store, cat = common.sidebar(r)

    def body() -> None:
        all_pipelines = pipelines_data.pipelines(r, cat.scope(store))
        c1, c2 = st.columns([3, 1])
        text = c1.text_input("Search pipelines", key="pipeline_search", placeholder="name or store contains…")
        only = c2.checkbox("With graphlets only", key="pipeline_with_graphlets")
        table = pipelines_data.filter_pipelines(all_pipelines, text, only)
        page, size = paging(
            "Pipelines",
            "pipelines",
            len(table),
            pipelines_data.LIST_PAGE_SIZES,
            pipelines_data.DEFAULT_LIST_PAGE_SIZE,
            f"{text}\x00{only}",
        )
        first = (page - 1) * size
        shown = table.iloc[first : first + size]
        st.caption(
            f"{len(table):,} of {len(all_pipelines):,} pipeline(s)"
            + (f"; {first + 1:,}–{first + len(shown):,} listed" if len(shown) < len(table) else "")
        )
        common.table(shown, "pipeline", names=PIPELINE_NAMES, decimals={"latest_probability": 2, "cost": 0})
        chosen = choose_pipeline(table)
        if chosen is None:
            st.info("No pipeline matches the search." if len(all_pipelines) else "No pipelines are loaded.")
            return
        show_pipeline(r, *chosen)

    common.guarded(body)
    common.show_cypher(r)


def paging(label: str, key: str, total: int, sizes: tuple[int, ...], default: int, ident: str) -> tuple[int, int]:
    """A page-size box and a page number (back to page 1 when ``ident`` changes); (page, page size)."""
    c1, c2 = st.columns([1, 1])
    size = int(c1.selectbox(f"{label} per page", sizes, index=sizes.index(default), key=f"{key}_page_size"))
    n_pages = shared_data.pages(total, size)
    if st.session_state.get(f"_{key}_for") != ident:  # another pipeline: start at its first page
        st.session_state[f"_{key}_for"] = ident
        st.session_state[f"{key}_page"] = 1
    st.session_state[f"{key}_page"] = min(max(1, int(st.session_state.get(f"{key}_page", 1))), n_pages)
    page = int(c2.number_input(f"Page (of {n_pages})", min_value=1, max_value=n_pages, step=1, key=f"{key}_page"))
    return page, size


def show_pipeline(r: shared_data.Reader, store: str, pipeline: str) -> None:
    ext = pipelines_data.pipeline_extent(r, store, pipeline)
    st.subheader(pipeline)
    first, last = shared_data.to_time(ext.first_created), shared_data.to_time(ext.last_updated)
    st.caption(f"Store {store} · active from {shared_data.human_time(first)} to {shared_data.human_time(last)}")
    cols = st.columns(4)
    cols[0].metric("Executions", f"{ext.executions:,}")
    cols[1].metric("Model graphlets", f"{ext.graphlets:,}")
    cols[2].metric("Pushed", f"{ext.pushed:,}", help=f"of {ext.decided:,} decided graphlets")
    span = f"{(last - first).total_seconds() / 86_400:.1f} days" if first is not None and last is not None else "–"
    cols[3].metric("Active", span)

    if len(ext.activity):
        box = common.folded("Whole life — executions per day and operator kind", WHOLE_LIFE_KEY)
        if box is not None:
            with box:
                activity_chart(ext.activity)

    st.markdown("**Trace** — executions left to right in time; graphlets below")
    ident = f"{store}\x00{pipeline}"
    if st.session_state.get("_trace_highlight_for") != ident:
        st.session_state["_trace_highlight_for"] = ident
        st.session_state["trace_highlight"] = "(none)"
    page, page_size = paging(
        "Executions", "trace", ext.executions, pipelines_data.PAGE_SIZES, pipelines_data.DEFAULT_PAGE_SIZE, ident
    )
    n_pages = shared_data.pages(ext.executions, page_size)
    execs = pipelines_data.pipeline_executions(r, store, pipeline, page, page_size)
    if len(execs):
        lo, hi = execs["created"].min(), execs["updated"].max()
        if pd.isna(hi) or hi < lo:
            hi = execs["created"].max()
        visible = pipelines_data.graphlets_between(r, store, pipeline, lo.value // 1_000_000, hi.value // 1_000_000)
        options = ["(none)", *visible["uid"].tolist()]
        if st.session_state.get("trace_highlight") not in options:
            st.session_state["trace_highlight"] = "(none)"
        highlight = st.selectbox("Highlight graphlet (those overlapping this page)", options, key="trace_highlight")
        highlighted = None if highlight == "(none)" else str(highlight)
        st.caption(
            f"Page {page} of {n_pages}: executions {(page - 1) * page_size + 1:,}–"
            f"{(page - 1) * page_size + len(execs):,} of {ext.executions:,}, {lo:%Y-%m-%d %H:%M} → "
            f"{hi:%Y-%m-%d %H:%M} UTC; {len(visible):,} graphlet(s) overlap this page."
        )
        trace_image(execs, visible, highlighted)
        # The zoomable chart with tooltips is drawn once opened: a Vega-Lite chart cost every page load
        # ~0.35–0.45 s of the browser's main thread (docs/benchmarks-log.md#app).
        box = common.folded("Explore the trace — zoom, pan, tooltips", EXPLORE_KEY)
        if box is not None:
            with box:
                trace_chart(execs, visible, highlighted)
    else:
        highlighted = None
        st.caption("This pipeline has no executions.")

    st.markdown("**Model graphlets**")
    if ext.graphlets:
        gpage, gsize = paging(
            "Graphlets",
            "graphlets",
            ext.graphlets,
            pipelines_data.GRAPHLET_PAGE_SIZES,
            pipelines_data.DEFAULT_GRAPHLET_PAGE_SIZE,
            ident,
        )
        shown = pipelines_data.pipeline_graphlets(r, store, pipeline, gpage, gsize)
        st.caption(
            f"Graphlets {(gpage - 1) * gsize + 1:,}–{(gpage - 1) * gsize + len(shown):,} of {ext.graphlets:,} "
            "in trainer order."
        )
        shared_data.time_columns(shown, "trainer_created", "started", "ended")
        common.table(shown, "uid", decimals={"cost": 1, "push_probability": 2})
        target = highlighted or (str(shown["uid"].iloc[-1]) if len(shown) else None)
        if target and st.button(f"Open graphlet {target}", key="open_graphlet"):
            open_graphlet(target)
    else:
        st.caption("No model graphlets (no Trainer ran, or `mlprov graphlets` has not been run).")


def open_graphlet(uid: str) -> Any:
    st.session_state["graphlet_uid"] = uid
    st.switch_page("graphlet.py", query_params={"uid": uid})


if __name__ == "__main__":
    render()
