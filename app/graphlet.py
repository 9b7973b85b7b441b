"""Graphlet page: one model graphlet — its members and subgraph, its history vs the previous
graphlets, its neighbours along NEXT, its prediction with per-feature contributions — and the push
predictor run on any selection of graphlets, writing predictions back."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlprov.app import common, graphlet_data, push_model, shared_data
from mlprov.queries import query

STAGES = ("ingest", "data_validation", "preprocessing", "training", "model_validation", "deployment", "other")
BROWSER_QUERY = "library/graphlet"
TABS = ("Members", "Subgraph", "History and neighbours", "Prediction")
TAB_KEY = "graphlet_tab"  # the selected tab's label
UID_KEY = "graphlet_uid"  # the graphlet shown in this session (the address names it too)
PIPELINE_KEY = "graphlet_pipeline"
PICK_KEY = "graphlet_pick"
SEARCH_KEY = "graphlet_search_shown"  # the folded search: open when True
FOLLOW_KEY = "_graphlet_follow"  # the user chose a pipeline: show its latest graphlet
SEPARATOR = graphlet_data.SEPARATOR


def label(store: object, pipeline: object) -> str:
    """A pipeline as the Pipeline picker lists it."""
    return f"{pipeline}{SEPARATOR}{store}"


def goto(uid: str) -> None:
    """Show this graphlet; the address names it (a user's choice: a button, the search, a picker)."""
    st.session_state[UID_KEY] = uid
    st.query_params["uid"] = uid


def _graphlet_picked() -> None:
    pick = st.session_state.get(PICK_KEY)
    if pick is not None:
        goto(str(pick))


def _pipeline_picked() -> None:
    st.session_state[UID_KEY] = None
    st.query_params.pop("uid", None)
    st.session_state[FOLLOW_KEY] = True


def search(r: shared_data.Reader, stores: list[str]) -> None:
    """Find a graphlet by uid, pipeline or trainer; "Open" shows the chosen match."""
    text = common.kept(
        "graphlet_search",
        "",
        lambda: st.text_input("Search", key="graphlet_search", placeholder="e.g. mlmd-000:g:42 or a pipeline name"),
    )
    if text.strip():
        hits = graphlet_data.graphlet_search(r, stores, text.strip())
        if len(hits):
            pick = st.selectbox("Matches (newest first)", hits["uid"].tolist(), key="graphlet_search_pick")
            if st.button("Open", key="graphlet_search_open") and pick:
                goto(str(pick))
                st.rerun()
        else:
            st.caption("No graphlet matches.")


def choose(r: shared_data.Reader, stores: list[str]) -> str | None:
    """The graphlet to show: the one the address names (?uid=…), else the one this session showed last,
    else the first pipeline's latest. The pickers follow it and only a user's choice changes it (a
    picker's callback, a button, the search): a requested graphlet that the pickers' lists lack (its
    pipeline's summary missing or older than its graphlets, its store outside the sidebar's filter) is
    added to them, never replaced by their first entry."""
    # drawn once opened: its text box and buttons cost every page load the browser's time while folded
    box = common.folded("Find a graphlet by uid, pipeline or trainer", SEARCH_KEY)
    if box is not None:
        with box:
            search(r, stores)

    addressed = st.query_params.get("uid")
    uid = addressed or st.session_state.get(UID_KEY)
    info = graphlet_data.graphlet(r, uid) if uid else None
    groups = graphlet_data.pipelines_with_graphlets(r, stores)
    labels = [label(s, p) for s, p in zip(groups["store"], groups["pipeline"], strict=True)]
    if info is not None:
        st.session_state[PIPELINE_KEY] = label(info.props.get("store"), info.props.get("pipeline"))
        if st.session_state[PIPELINE_KEY] not in labels:
            labels.insert(0, st.session_state[PIPELINE_KEY])
        if not addressed:  # back on this page from another: the address names the graphlet shown
            st.query_params["uid"] = str(uid)
    elif not labels:
        return uid
    elif st.session_state.get(PIPELINE_KEY) not in labels:
        st.session_state[PIPELINE_KEY] = labels[0]
    listed = shared_data.listed_choices(labels, st.session_state.get(PIPELINE_KEY))
    if len(listed) < len(labels):
        st.caption(f"The Pipeline picker lists {len(listed):,} of {len(labels):,} pipelines: search for the others.")
    c1, c2 = st.columns(2)
    chosen = str(c1.selectbox("Pipeline", listed, key=PIPELINE_KEY, on_change=_pipeline_picked))
    g_pipeline, _, g_store = chosen.rpartition(SEPARATOR)
    choices = graphlet_data.graphlet_choices(r, g_store, g_pipeline, info.uid if info is not None else None)
    uids = list(choices.uids)
    if info is not None:
        if info.uid not in uids:
            uids.append(info.uid)
        st.session_state[PICK_KEY] = info.uid
    elif uid:  # no such graphlet: the page says so, the picker offers the pipeline's graphlets
        st.session_state[PICK_KEY] = None
    elif st.session_state.get(PICK_KEY) not in uids:
        st.session_state[PICK_KEY] = uids[-1] if uids else None
    pick = c2.selectbox(
        "Graphlet",
        uids,
        key=PICK_KEY,
        format_func=lambda u: choices.labels.get(u, str(u)),
        on_change=_graphlet_picked,
        placeholder="Choose a graphlet",
    )
    if len(choices.uids) < choices.total:
        c2.caption(
            f"Lists graphlets {choices.first + 1:,}–{choices.first + len(choices.uids):,} of the pipeline's "
            f"{choices.total:,} (trainer order): previous / next and the search reach the others."
        )
    follow = st.session_state.pop(FOLLOW_KEY, False)
    if uid:
        return str(uid)
    if pick is not None and follow:  # the user chose this pipeline: the address names its latest graphlet
        goto(str(pick))
    return str(pick) if pick is not None else None


def render() -> None:
    st.title("Graphlet")
    r = common.reader()
    store, cat = common.sidebar(r)

    def body() -> None:
        uid = choose(r, cat.scope(store))
        if uid is None:
            st.info("No model graphlets yet: run `mlprov graphlets` to build them from the loaded stores.")
            return
        info = graphlet_data.graphlet(r, uid)
        if info is None:
            st.warning(f"No graphlet {uid!r} in the warehouse.")
            return
        show(r, info)

    common.guarded(body)
    common.show_cypher(r, extra=common.named(push_model.frame_statements(uids=True)))


def show(r: shared_data.Reader, info: graphlet_data.GraphletInfo) -> None:
    p = info.props
    st.subheader(info.uid)
    # long texts (pipeline names, states) in full on one line; the metrics hold only short numbers
    st.markdown(
        f"Pipeline **{p.get('pipeline')}** (store {p.get('store')}) · trainer **{p.get('trainer_state')}** "
        f"`{p.get('trainer_uid')}` of type `{info.trainer.get('type', '–')}`"
    )
    cols = st.columns(4)
    cols[0].metric("Outcome", shared_data.outcome(p.get("pushed")))
    cols[1].metric("Cost", common.seconds(p.get("cost")), help="each execution's cost shared among its graphlets")
    cols[2].metric("Executions", f"{p.get('n_executions', 0):,}")
    cols[3].metric("Artifacts", f"{p.get('n_artifacts', 0):,}")
    st.caption(f"From {shared_data.human_time(p.get('started'))} to {shared_data.human_time(p.get('ended'))}")
    browser = common.browser_base()
    if browser:
        url = shared_data.browser_url(browser, query(BROWSER_QUERY).text, {"uid": info.uid})
        st.link_button("Open in Neo4j Browser", url, help=f"the `{BROWSER_QUERY}` query, its $uid set")

    nav = st.columns([1, 1, 4])
    if info.previous and nav[0].button("← previous graphlet", key="graphlet_prev"):
        goto(info.previous)
        st.rerun()
    if info.next and nav[1].button("next graphlet →", key="graphlet_next"):
        goto(info.next)
        st.rerun()

    # Only the selected tab is drawn (a rerun on a tab switch, the answers then cached): drawing all four
    # on every page load cost the browser the subgraph layout and the feature tables nobody had opened.
    tabs = st.tabs(list(TABS), key=TAB_KEY, on_change="rerun")
    for tab, draw in zip(tabs, (members_tab, subgraph_tab, history_tab, prediction), strict=True):
        if tab.open:
            with tab:
                draw(r, info)


def n_members(info: graphlet_data.GraphletInfo) -> int:
    return int(info.props.get("n_executions") or 0) + int(info.props.get("n_artifacts") or 0)


def members_tab(r: shared_data.Reader, info: graphlet_data.GraphletInfo) -> None:
    p = info.props
    stage_costs = pd.DataFrame(
        {
            "stage": [shared_data.stage_label(s) for s in STAGES],
            "cost": [float(p.get(f"cost_{s}") or 0.0) for s in STAGES],
        }
    )
    n = n_members(info)
    n_pages = shared_data.pages(n, graphlet_data.MEMBER_PAGE_SIZE)
    if st.session_state.get("_members_for") != info.uid:  # another graphlet: its first page
        st.session_state["_members_for"] = info.uid
        st.session_state["members_page"] = 1
    label = f"Members page (of {n_pages}, {graphlet_data.MEMBER_PAGE_SIZE} per page, {n:,} members)"
    page = int(
        common.kept(
            "members_page",
            1,
            lambda: st.number_input(label, min_value=1, max_value=n_pages, step=1, key="members_page"),
        )
    )
    members = graphlet_data.graphlet_members(r, info.uid, page)
    common.table(members, "member")
    notes = [common.seconds(c) for c in stage_costs["cost"]]
    st.markdown("**Cost by stage** (each execution's cost shared among its graphlets)")
    common.figure(
        "hbars",
        list(stage_costs["stage"]),
        list(stage_costs["cost"]),
        notes,
        "cost share (s)",
        caption=" · ".join(f"{s} {n}" for s, n in zip(stage_costs["stage"], notes, strict=True)),
    )


def subgraph_tab(r: shared_data.Reader, info: graphlet_data.GraphletInfo) -> None:
    drawn = graphlet_data.graphlet_members(r, info.uid, 1, graphlet_data.MAX_DRAWN)
    edges = graphlet_data.graphlet_edges(r, info.uid)
    n = n_members(info)
    if n > len(drawn):
        st.caption(f"{n:,} members: the first {len(drawn):,} in time order are drawn.")
    if len(edges) >= graphlet_data.MAX_EDGES:
        st.caption(f"Only the first {graphlet_data.MAX_EDGES} edges are read.")
    st.graphviz_chart(graphlet_data.subgraph_dot(drawn, edges, highlight=str(info.props.get("trainer_uid"))))


def history_tab(r: shared_data.Reader, info: graphlet_data.GraphletInfo) -> None:
    k = int(
        common.kept(
            "graphlet_k",
            graphlet_data.HISTORY_K,
            lambda: st.slider("Graphlets before and after", 1, 10, key="graphlet_k"),
        )
    )
    hist = graphlet_data.graphlet_neighbours(r, info.uid, k)
    st.caption(
        "Offset −1 is the previous graphlet of the pipeline (trainer order, `:NEXT`). span_jaccard: "
        "Jaccard similarity of the data-span artifacts held, vs this graphlet; cost_vs_this: cost ratio."
    )
    st.dataframe(
        hist,
        hide_index=True,
        column_config={
            "span_jaccard": st.column_config.NumberColumn(format="%.2f"),
            "cost_vs_this": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    st.markdown("**Features vs the previous graphlets** (the push predictor's feature frame)")
    earlier = hist[hist["offset"] <= 0].sort_values("offset")
    feats = common.features_of(r, earlier["uid"].tolist(), k)
    if feats.ok and feats.frame is not None and len(feats.frame):
        st.dataframe(feature_table(feats.frame, earlier), height=420)
        st.caption(
            "One column per graphlet (offset 0 is this one). jaccard_i / dataset_similarity_i / "
            "code_changed_i compare a graphlet with its i-th predecessor; empty is missing history."
        )
    else:
        st.caption(feats.message or "No features.")


def feature_table(frame: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """Features as rows, one column per graphlet labelled by its offset, this graphlet first."""
    offsets = dict(zip(order["uid"], order["offset"], strict=True))
    frame = frame[frame["uid"].isin(list(offsets))].copy()
    frame["offset"] = [offsets[u] for u in frame["uid"]]
    frame = frame.sort_values("offset", ascending=False)
    drop = [c for c in ("store", "pipeline", "trainer_uid", "trainer_state", "started", "ended") if c in frame]
    table = frame.drop(columns=drop).set_index("offset").T
    table.columns = [f"{int(o):+d}" if o else "this (0)" for o in table.columns]
    return table.astype(str)


def prediction(r: shared_data.Reader, info: graphlet_data.GraphletInfo) -> None:
    p = info.props
    if p.get("push_probability") is not None:
        probability, decision = float(p["push_probability"]), p.get("push_decision")
        threshold = push_model.model_threshold(p.get("model_version"))
        cols = st.columns(3)
        cols[0].metric("Push probability", f"{probability:.2f}")
        cols[1].metric("Decision", "–" if decision is None else ("run" if decision else "skip"))
        cols[2].metric("Actual", shared_data.outcome(p.get("pushed")))
        rule = (
            f"run when the push probability ≥ threshold {threshold:.2f}"
            if threshold is not None
            else "the model's threshold is unknown (its metadata file is not in this MLPROV_HOME)"
        )
        st.caption(
            f"Decision rule of model `{p.get('model_version', '–')}`: {rule}; the threshold maximises balanced "
            "accuracy on the training side (pipeline-grouped cross-validation), so it is not chosen for full "
            "freshness: `mlprov evaluate` shows the waste removed at 100% freshness."
        )
        contrib = info.contributions()
        if len(contrib):
            shown = contrib.head(15).copy()
            shown["label"] = [
                f"{f} = {v}" if v is not None and v == v else str(f)
                for f, v in zip(shown["feature"], shown["value"], strict=True)
            ]
            f = common.field
            common.chart(
                {
                    "data": {"name": "contributions"},
                    "mark": "bar",
                    "title": f"Top {len(shown)} feature contributions (green: towards a push)",
                    "encoding": {
                        "x": f("contribution:Q", title="signed contribution to the log-odds of a push (SHAP)"),
                        "y": f("label:N", sort=None, title=None, axis={"labelLimit": 0}),
                        "tooltip": [f("feature:N"), f("value:N"), f("contribution:Q", format="+.4f")],
                        "color": {
                            "condition": {"test": "datum.contribution > 0", "value": "#2e7d32"},
                            "value": "#c62828",
                        },
                    },
                },
                contributions=shown,
            )
        else:
            st.caption("No per-feature contributions were written back with this prediction.")
    else:
        st.caption("No prediction written back for this graphlet yet.")

    st.markdown("**Predict on a selection** — the push predictor on any graphlets, predictions written back")
    near = graphlet_data.graphlet_choices(r, str(p.get("store")), str(p.get("pipeline")), info.uid)
    options = sorted(set(near.uids) | {info.uid})
    key = f"predict_sel_{info.uid}"
    selection = common.kept(key, [info.uid], lambda: st.multiselect("Graphlets", options, key=key))
    why = push_model.unavailable()
    if why is not None:
        st.warning(why)
    if st.button("Run the predictor", key="predict_run", disabled=why is not None):
        outcome = push_model.predict(r.wh, selection)
        if outcome.ok:
            common.clear_cache()
            st.success(outcome.message)
            if outcome.frame is not None:
                st.dataframe(outcome.frame, hide_index=True)
        else:
            st.warning(outcome.message)


if __name__ == "__main__":
    render()
