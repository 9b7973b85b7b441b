"""Predictor page: the feature-set table and the freshness–waste curve with a threshold slider.

The curve is that of the predictions the push predictor wrote back to the :Graphlet nodes
(``push_probability``) of graphlets whose push is decided: at threshold t a graphlet runs when its
probability is ≥ t; freshness is the share of pushed graphlets still run, waste the share of the
unpushed graphlets' cost still spent (docs/predictor.md). ``mlprov predict`` keeps it in the store
summaries as a histogram on the slider's grid, so a page load reads no graphlet.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlprov.app import common, push_model, tradeoff_data


def render() -> None:
    st.title("Predictor")
    r = common.reader()
    store, cat = common.sidebar(r)

    def body() -> None:
        st.subheader("Feature sets")
        why = push_model.unavailable()
        if why is not None:
            st.warning(why)
        models = push_model.trained_models()
        if len(models):
            st.markdown("Trained models (`mlprov train`, metadata files):")
            st.dataframe(models, hide_index=True)
        if st.button(
            "Compute the feature-set table",
            key="predictor_sets",
            help="Builds the feature frame of every graphlet (cached on disk by the predictor)",
        ):
            st.session_state["predictor_sets_result"] = push_model.feature_sets(r.wh)
        sets: push_model.Outcome | None = st.session_state.get("predictor_sets_result")
        if sets is not None:
            if sets.ok and sets.frame is not None:
                st.caption(
                    sets.message + ". feature_cost: share of graphlet compute that must run before the "
                    "set's features exist."
                )
                st.dataframe(
                    sets.frame,
                    hide_index=True,
                    column_config={"feature_cost": st.column_config.NumberColumn(format="percent")},
                )
            else:
                st.warning(sets.message)

        st.subheader("Freshness–waste trade-off")
        preds = tradeoff_data.predictions(cat, cat.scope(store))
        if not preds.graphlets:
            st.info(
                "No predictions in the warehouse yet: no graphlet with a decided push carries a "
                "`push_probability` in the store summaries. Run `mlprov train`, then `mlprov predict` (it "
                "writes the summaries this page reads)."
            )
            return
        curve = preds.curve
        t = float(
            st.slider(
                "Threshold: run a graphlet when its push probability is at least",
                0.0,
                1.0,
                0.5,
                1 / tradeoff_data.GRID,
                key="predictor_threshold",
            )
        )
        at = preds.at(t)
        full = curve[curve["freshness"] >= 1.0 - 1e-12]
        f95 = curve[curve["freshness"] >= 0.95]
        cols = st.columns(4)
        cols[0].metric("Freshness at threshold", common.percent(float(at["freshness"])))
        cols[1].metric("Waste removed at threshold", common.percent(float(at["waste_removed"])))
        cols[2].metric(
            "Waste removed at 100% freshness", common.percent(float(full["waste_removed"].max())) if len(full) else "–"
        )
        cols[3].metric("… at ≥ 95% freshness", common.percent(float(f95["waste_removed"].max())) if len(f95) else "–")
        versions = ", ".join(f"{v} ({n:,})" for v, n in preds.versions.items())
        st.caption(
            f"{preds.graphlets:,} graphlets with a prediction ({preds.pushed:,} pushed); model version(s) "
            f"(graphlets): {versions or '–'}."
        )
        f = common.field
        unit = {"domain": [0, 1]}
        common.chart(
            {
                "height": 380,
                "layer": [
                    {
                        "data": {"name": "curve"},
                        "mark": "line",
                        "encoding": {
                            "x": f("waste:Q", title="waste (share of unpushed cost still spent)", scale=unit),
                            "y": f("freshness:Q", title="freshness (share of pushed graphlets run)", scale=unit),
                            "order": f("threshold:Q"),
                            "tooltip": [
                                f("threshold:Q"),
                                f("freshness:Q", format=".1%"),
                                f("waste:Q", format=".1%"),
                            ],
                        },
                    },
                    {
                        "data": {"name": "threshold"},
                        "mark": {"type": "point", "size": 160, "filled": True, "color": "#c62828"},
                        "encoding": {"x": f("waste:Q"), "y": f("freshness:Q")},
                    },
                ],
            },
            curve=curve,
            threshold=pd.DataFrame([at]),
        )

    common.guarded(body)
    frame_ran = "predictor_sets_result" in st.session_state
    common.show_cypher(r, extra=common.named(push_model.frame_statements(uids=False)) if frame_ran else None)


if __name__ == "__main__":
    render()
