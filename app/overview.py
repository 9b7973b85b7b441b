"""Overview page: corpus dashboards — stores, pipelines, graphlets, push rate, cost by stage,
models per day, from the stores' summaries (one index-backed query per page run)."""

from __future__ import annotations

import streamlit as st

from mlprov.app import common, overview_data, shared_data


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

        st.subheader("Stores")
        st.dataframe(
            ov.stores,
            hide_index=True,
            width="stretch",
            column_config={
                "push_rate": st.column_config.NumberColumn("push rate", format="percent"),
                "loaded_at": st.column_config.DatetimeColumn("loaded at", format=shared_data.TIME_FORMAT),
            },
        )

        left, right = st.columns(2)
        with left:
            st.subheader("Cost by stage")
            if len(ov.cost_by_stage):
                f = common.field
                common.chart(
                    {
                        "data": {"name": "stages"},
                        "mark": "bar",
                        "encoding": {
                            "x": f("cost:Q", title="compute cost (s)"),
                            "y": f(
                                "stage:N",
                                sort=list(shared_data.STAGE_ORDER),
                                title=None,
                                axis={"labelLimit": 0, "labelOverlap": False},
                            ),
                            "color": f("stage:N", legend=None),
                            "tooltip": [
                                f("stage:N"),
                                f("executions:Q"),
                                f("cost:Q", format=",.0f"),
                                f("share:Q", format=".1%"),
                            ],
                        },
                    },
                    stages=ov.cost_by_stage,
                )
            else:
                st.caption("No executions.")
        with right:
            st.subheader("Models per day")
            if len(ov.models_per_day):
                long = ov.models_per_day.melt(
                    id_vars=["day"],
                    value_vars=["pushed", "unpushed", "undecided"],
                    var_name="outcome",
                    value_name="graphlets",
                )
                # Stores far apart in time (a 2021 fixture beside a 2024 corpus) would leave years of empty
                # axis: when active days cover under a quarter of the span, plot only the active days.
                first, last = ov.models_per_day["day"].min(), ov.models_per_day["day"].max()
                span_days = (last - first).days + 1
                sparse = len(ov.models_per_day) < span_days / 4
                f = common.field
                x = (
                    f("day:O", timeUnit="yearmonthdate", title="trainer start (active UTC days only)")
                    if sparse
                    else f("day:T", title="trainer start (UTC day)")
                )
                common.chart(
                    {
                        "data": {"name": "models"},
                        "mark": "bar",
                        "encoding": {
                            "x": x,
                            "y": f("graphlets:Q", stack=True, title="models trained"),
                            "color": f("outcome:N", scale=common.scale(common.OUTCOME_COLOURS)),
                            "tooltip": [f("day:T"), f("outcome:N"), f("graphlets:Q")],
                        },
                    },
                    models=long,
                )
                days = len(ov.models_per_day)
                st.caption(
                    f"{int(ov.models_per_day['models'].sum()):,} models over {days:,} day(s): "
                    f"{ov.models_per_day['models'].mean():.1f} per active day."
                )
            else:
                st.caption("No model graphlets.")

    common.guarded(body)
    common.show_cypher(r)


if __name__ == "__main__":
    render()
