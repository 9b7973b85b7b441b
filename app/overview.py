"""Overview page: corpus dashboards — stores, pipelines, graphlets, push rate, cost by stage,
models per day, from the stores' summaries (one index-backed query per page run)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlprov.app import common, overview_data, shared_data

COUNTS = ("executions", "artifacts", "contexts", "events", "dangling", *overview_data.SUMMARY_COLUMNS)


def store_table(stores: pd.DataFrame) -> pd.DataFrame:
    """The stores as the page shows them: a static table (every value in full, no grid to load), one
    column per store (their 16 properties side by side ran off the page's edge), counts with thousands
    separators, the push rate in percent, the load time in UTC to the second."""
    shown = stores.set_index("name")
    for column in shown.columns:
        if column == "push_rate":
            shown[column] = [common.percent(v) for v in shown[column]]
        elif column == "loaded_at":
            shown[column] = [shared_data.human_time(v) for v in shown[column]]
        elif column in COUNTS:
            shown[column] = [f"{int(v):,}" if v is not None and v == v else "–" for v in shown[column]]
    return shown.rename(columns={"push_rate": "push rate", "loaded_at": "loaded at"}).astype(str).T


def render() -> None:
    st.title("Overview")
    r = common.reader()
    store, cat = common.sidebar(r)

    def body() -> None:
        ov = overview_data.overview(cat, store)
        t = ov.totals
        cols = st.columns(6)
        cols[0].metric("Stores", f"{t['stores']:,}")
        cols[1].metric("Pipelines", f"{t['pipelines']:,}")
        cols[2].metric("Executions", f"{t['executions']:,}")
        cols[3].metric("Model graphlets", f"{t['graphlets']:,}")
        cols[4].metric(
            "Push rate",
            common.percent(ov.push_rate),
            help=f"{t['pushed']:,} pushed of {t['decided']:,} graphlets whose push is decided",
        )
        cols[5].metric("Compute cost", common.seconds(t["cost"]), help=f"{float(t['cost'] or 0):,.0f} s in all")
        if not t["graphlets"]:
            st.warning("No model graphlets yet: run `mlprov graphlets` to build them from the loaded stores.")

        left, right = st.columns(2)
        with left:
            st.subheader("Cost by stage")
            if len(ov.cost_by_stage):
                rank = {s: i for i, s in enumerate(shared_data.STAGE_ORDER)}
                stages = ov.cost_by_stage.sort_values("stage", key=lambda c: c.map(lambda s: rank.get(s, len(rank))))
                notes = [
                    f"{common.seconds(c)} · {common.percent(sh)}"
                    for c, sh in zip(stages["cost"], stages["share"], strict=True)
                ]
                common.figure(
                    "hbars",
                    list(stages["stage"]),
                    [float(c) for c in stages["cost"]],
                    notes,
                    "compute cost (s)",
                    caption=" · ".join(
                        f"{s} {common.seconds(c)} ({common.percent(sh)})"
                        for s, c, sh in zip(stages["stage"], stages["cost"], stages["share"], strict=True)
                    ),
                )
            else:
                st.caption("No executions.")
        with right:
            st.subheader("Models per day")
            if len(ov.models_per_day):
                # Stores far apart in time (a 2021 fixture beside a 2024 corpus) would leave years of empty
                # axis: when active days cover under a quarter of the span, plot only the active days.
                first, last = ov.models_per_day["day"].min(), ov.models_per_day["day"].max()
                span_days = (last - first).days + 1
                sparse = len(ov.models_per_day) < span_days / 4
                days = len(ov.models_per_day)
                common.figure(
                    "stacked_days",
                    ov.models_per_day[["day", *common.OUTCOME_COLOURS]],
                    common.OUTCOME_COLOURS,
                    "models trained",
                    not sparse,
                    caption=(
                        f"{int(ov.models_per_day['models'].sum()):,} models over {days:,} "
                        f"{'active ' if sparse else ''}UTC day(s) by trainer start: "
                        f"{ov.models_per_day['models'].mean():.1f} per active day."
                    ),
                )
            else:
                st.caption("No model graphlets.")

        st.subheader("Stores")
        common.html_table(store_table(ov.stores))

    common.guarded(body)
    common.show_cypher(r)


if __name__ == "__main__":
    render()
