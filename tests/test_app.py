"""The Streamlit app (issue 9), page by page with Streamlit's AppTest against a real loaded Neo4j.

The warehouse holds the generator's `tiny` corpus and the real TFX fixture `redwine_pushers_v10`,
loaded once for the module; each test asserts what a user sees against what the graph holds.
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from mlprov.app import common, graphlet, pipelines, pipelines_data, shared_data, tradeoff_data
from mlprov.db import Warehouse
from mlprov.generator import generate
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from mlprov.settings import Connection
from mlprov.summaries import refresh_store
from tests.conftest import FIXTURES, elsewhere_env, run_cli
from tests.tcp_proxy import TcpProxy

MAIN = str(Path(__file__).resolve().parents[1] / "app" / "main.py")
FIXTURE = "redwine_pushers_v10.sqlite"
TIMEOUT = 120


def load_corpus(wh: Warehouse, out: Path) -> Warehouse:
    """The graph emptied, then the tiny generated corpus (written to ``out``) and a real fixture store
    loaded, with graphlets."""
    wh.run_batched("admin/clear_graph")
    generate(out, "tiny", seed=0)
    loader = Loader(wh)
    for store in sorted((out / "stores").glob("*.sqlite")):
        loader.load(store, store=store.stem)
    copy = out / FIXTURE
    copy.write_bytes((FIXTURES / FIXTURE).read_bytes())
    loader.load(copy, store="redwine_pushers_v10")
    build_graphlets(wh)
    return wh


@pytest.fixture(scope="module")
def corpus(_session_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Tiny generated corpus + a real fixture store, loaded with graphlets, once for this module."""
    return load_corpus(_session_warehouse, tmp_path_factory.mktemp("app_corpus"))


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    common.clear_cache()
    common.forget_warehouse()
    yield
    common.clear_cache()


def q(wh: Warehouse, text: str, **params: Any) -> list[dict[str, Any]]:
    """Expected values straight from the graph (test-side Cypher, read-only)."""
    return wh.read_text(text, params, limit=100_000)[1]


def app(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return str(m.value)
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def cypher_folded(at: AppTest) -> Any:
    """The folded "Cypher this page ran" expander as the page drew it."""
    exp = [e for e in at.expander if str(e.label).startswith("Cypher this page ran")]
    assert exp, "the page does not show the Cypher it ran"
    return exp[0]


def cypher_opened(at: AppTest) -> Any:
    """The "Cypher this page ran" expander once the user opens it (a rerun that draws its content).
    AppTest does not send an expander's or a tab's state back on the next run as the browser does: it
    is set for this run."""
    at.session_state[common.CYPHER_KEY] = True
    in_tab(at, None)
    return cypher_folded(at)


def in_tab(at: AppTest, tab: str | None) -> AppTest:
    """Run the page with this Graphlet tab selected (None: the default, the first)."""
    if tab is not None:
        at.session_state[graphlet.TAB_KEY] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cypher_shown(at: AppTest) -> str:
    """All code blocks of the "Cypher this page ran" expander, opened."""
    return "\n".join(str(c.value) for c in cypher_opened(at).code)


def shown_params(at: AppTest) -> list[dict[str, Any]]:
    """The parameters of every statement in the "Cypher this page ran" expander, opened."""
    return [
        json.loads(str(c.value).removeprefix(":params "))
        for c in cypher_opened(at).code
        if str(c.value).startswith(":params")
    ]


def charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def images(at: AppTest) -> list[str]:
    """The captions of the page's static charts (images), which write out the values drawn."""
    return [img.caption for el in at.get("image") for img in el.proto.imgs]


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The page's static tables (HTML) as frames of the text shown, each labelled by its first column."""
    out = []
    for el in at.get("html"):
        rows = [
            [html.unescape(c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", str(el.proto.body))
        ]
        if rows:
            out.append(pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0]))
    return out


EXECUTIONS_OF = "MATCH (e:Execution {store: $s}) RETURN count(e) AS n"


def chart_datasets(at: AppTest) -> list[pd.DataFrame]:
    """The data frames the page's charts were drawn from (Streamlit sends them beside the spec, in Arrow)."""
    import pyarrow as pa

    return [
        pa.ipc.open_stream(ds.data.data).read_pandas() for c in at.get("vega_lite_chart") for ds in c.proto.datasets
    ]


# -- Overview ---------------------------------------------------------------------------------------


def test_overview_numbers_equal_the_graph(corpus: Warehouse) -> None:
    at = app()
    assert at.title[0].value == "Overview"
    stores = q(corpus, "MATCH (s:Store) RETURN count(s) AS n")[0]["n"]
    pipelines = q(corpus, "MATCH (p:Pipeline) RETURN count(p) AS n")[0]["n"]
    executions = q(corpus, "MATCH (e:Execution) RETURN count(e) AS n")[0]["n"]
    g = q(
        corpus,
        "MATCH (g:Graphlet) RETURN count(g) AS n, count(CASE WHEN g.pushed THEN 1 END) AS p, count(g.pushed) AS d",
    )[0]
    assert stores == 2 and g["n"] > 0
    assert metric(at, "Stores") == f"{stores:,}"
    assert metric(at, "Pipelines") == f"{pipelines:,}"
    assert metric(at, "Executions") == f"{executions:,}"
    assert metric(at, "Model graphlets") == f"{g['n']:,}"
    assert metric(at, "Push rate") == f"{g['p'] / g['d']:.1%}"
    # the store table lists both stores, values in full; cost by stage and models per day are drawn as
    # images (no chart library to load), their values written under them
    table = tables(at)[0]
    assert sorted(table.columns) == ["mlmd-000", "redwine_pushers_v10"]
    assert table.loc["executions", "mlmd-000"] == f"{q(corpus, EXECUTIONS_OF, s='mlmd-000')[0]['n']:,}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", table.loc["loaded at", "mlmd-000"])
    assert not charts(at) and len(images(at)) == 2
    stages = next(c for c in images(at) if "training" in c)
    assert [part.split()[0] for part in stages.split(" · ")] == [s for s in shared_data.STAGE_ORDER if s in stages], (
        stages
    )
    assert f"{g['n']:,} models over" in images(at)[1]
    # the Cypher is drawn once the user opens its expander, not on every page load
    assert not cypher_folded(at).code
    assert "OPTIONAL MATCH (m:StoreSummary" in cypher_shown(at)

    # the store filter narrows every number to that store
    assert [e.label for e in at.sidebar.expander] == ["Store: All stores"] and not at.sidebar.selectbox
    at.session_state[common.STORE_FOLD_KEY] = True  # the user opens the store filter
    at.run()
    at.selectbox(key="store").select("redwine_pushers_v10").run()
    gs = q(corpus, "MATCH (g:Graphlet {store: 'redwine_pushers_v10'}) RETURN count(g) AS n")[0]["n"]
    assert metric(at, "Stores") == "1"
    assert metric(at, "Model graphlets") == f"{gs:,}"


# -- Pipelines --------------------------------------------------------------------------------------


def test_pipeline_picker_lists_a_bounded_number_and_keeps_the_chosen_one(
    corpus: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_data, "MAX_CHOICES", 3)
    expected = q(corpus, "MATCH (p:Pipeline) RETURN p.store AS store, p.name AS name ORDER BY store, name")
    labels = [f"{r['name']}  ·  {r['store']}" for r in expected]
    assert len(labels) > 4
    last = expected[-1]
    at = app("pipelines.py", store=last["store"], pipeline=last["name"])
    box = at.selectbox(key="pipeline_choice")
    # the first three, and the one the address asked for (further down the list), shown
    assert list(box.options) == [*labels[:3], labels[-1]]
    assert box.value == labels[-1]
    assert f"The picker lists 4 of {len(labels):,} pipelines: search to narrow it." in [c.value for c in at.caption]
    assert at.subheader[0].value == last["name"]
    # a search that matches one pipeline lists it alone, without the note
    at.text_input(key="pipeline_search").input(expected[1]["name"]).run()
    narrowed = [lb for lb in labels if expected[1]["name"].lower() in lb.lower()]
    assert list(at.selectbox(key="pipeline_choice").options) == narrowed
    assert not any("The picker lists" in c.value for c in at.caption)


def test_pipelines_list_search_and_trace(corpus: Warehouse) -> None:
    at = app("pipelines.py")
    expected = q(corpus, "MATCH (p:Pipeline) RETURN p.store AS store, p.name AS name ORDER BY store, name")
    box = at.selectbox(key="pipeline_choice")
    assert list(box.options) == [f"{r['name']}  ·  {r['store']}" for r in expected]
    # the list is a static table, paged: every value in full, times in UTC to the second
    listed = next(t for t in tables(at) if "model mix" in t.columns)
    assert list(listed.index) == [r["name"] for r in expected][: pipelines_data.DEFAULT_LIST_PAGE_SIZE]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC|–", t) for t in listed["first"])
    assert len(expected) > 10
    at.selectbox(key="pipelines_page_size").select(10).run()
    at.number_input(key="pipelines_page").set_value(2).run()
    listed = next(t for t in tables(at) if "model mix" in t.columns)
    assert list(listed.index) == [r["name"] for r in expected][10:20]
    listed_note = f"{len(expected):,} of {len(expected):,} pipeline(s); 11–{min(20, len(expected))} listed"
    assert listed_note in [c.value for c in at.caption]

    at.text_input(key="pipeline_search").input("music").run()
    box = at.selectbox(key="pipeline_choice")
    assert box.options and all("music" in o for o in box.options)

    at.text_input(key="pipeline_search").input("").run()
    at.checkbox(key="pipeline_with_graphlets").check().run()
    with_graphlets = q(corpus, "MATCH (g:Graphlet) RETURN count(DISTINCT [g.store, g.pipeline]) AS n")[0]["n"]
    assert len(at.selectbox(key="pipeline_choice").options) == with_graphlets

    # the busiest pipeline: its numbers, its trace (paged) and its graphlets
    top = q(
        corpus,
        "MATCH (e:Execution) WHERE e.pipeline IS NOT NULL RETURN e.store AS store, "
        "e.pipeline AS pipeline, count(e) AS n ORDER BY n DESC LIMIT 1",
    )[0]
    gl = q(
        corpus,
        "MATCH (g:Graphlet {store: $s, pipeline: $p}) RETURN g.uid AS uid, g.pushed AS pushed "
        "ORDER BY g.trainer_created, g.trainer_mlmd_id",
        s=top["store"],
        p=top["pipeline"],
    )
    assert top["n"] > 100
    at.selectbox(key="pipeline_choice").select(f"{top['pipeline']}  ·  {top['store']}").run()
    assert metric(at, "Executions") == f"{top['n']:,}"
    assert metric(at, "Model graphlets") == f"{len(gl):,}"
    assert metric(at, "Pushed") == f"{sum(1 for g in gl if g['pushed']):,}"
    # the trace is an image, every count written under it; its zoomable chart is drawn once its fold is opened
    assert not charts(at)
    (drawn,) = images(at)
    first_page = min(top["n"], pipelines_data.DEFAULT_PAGE_SIZE)
    assert drawn.startswith(f"{first_page:,} executions drawn:")
    at.session_state[pipelines.EXPLORE_KEY] = True
    at.run()
    trace = [s for s in charts(at) if "vconcat" in s]
    assert trace, "no trace chart"
    # the whole life (executions per day and kind) is folded, drawn once opened: every execution counted
    assert not any("activity" in json.dumps(s) for s in charts(at))
    at.session_state[pipelines.WHOLE_LIFE_KEY] = True
    at.run()
    activity = next(df for df in chart_datasets(at) if "day" in df.columns and "kind" in df.columns)
    assert int(activity["executions"].sum()) == top["n"]
    text = json.dumps(trace[0])
    assert "membership" in text and "outcome" in text  # executions by graphlet membership, graphlet bars
    graphlet_table = next(t for t in tables(at) if "outcome" in t.columns)
    assert list(graphlet_table.index) == [g["uid"] for g in gl][: pipelines_data.DEFAULT_GRAPHLET_PAGE_SIZE]
    assert set(graphlet_table["outcome"]) <= {"pushed", "unpushed", "undecided"}
    # times in UTC to the second, in full
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", t) for t in graphlet_table["started"])
    # the graphlet table is paged on the server: 10 a page, page 2 holds graphlets 11-20 in trainer order
    assert len(gl) > 10
    at.selectbox(key="graphlets_page_size").select(10).run()
    at.number_input(key="graphlets_page").set_value(2).run()
    graphlet_table = next(t for t in tables(at) if "outcome" in t.columns)
    assert list(graphlet_table.index) == [g["uid"] for g in gl][10:20]
    assert {"store": top["store"], "pipeline": top["pipeline"], "skip": 10, "limit": 10} in shown_params(at)
    at.selectbox(key="graphlets_page_size").select(100).run()

    # paging: 100 per page, the last page holds the rest
    at.selectbox(key="trace_page_size").select(100).run()
    pages = -(-top["n"] // 100)
    assert at.number_input(key="trace_page").label == f"Page (of {pages})"
    at.number_input(key="trace_page").set_value(pages).run()
    assert any(f"of {top['n']:,}" in c.value and f"Page {pages} of {pages}" in c.value for c in at.caption)

    # highlighting a graphlet marks exactly its executions on the page (the chart's own data, against the graph)
    at.number_input(key="trace_page").set_value(1).run()
    at.selectbox(key="trace_highlight").select(gl[0]["uid"])
    at.session_state[pipelines.EXPLORE_KEY] = True
    at.run()
    assert not at.exception
    shown_execs = next(df for df in chart_datasets(at) if "highlighted" in df.columns and "kind" in df.columns)
    members = {
        r["uid"]
        for r in q(corpus, "MATCH (:Graphlet {uid: $g})-[:CONTAINS]->(e:Execution) RETURN e.uid AS uid", g=gl[0]["uid"])
    }
    expected = set(shown_execs["uid"]) & members
    assert expected, "the first graphlet has no execution on the first page"
    assert set(shown_execs.loc[shown_execs["highlighted"].astype(bool), "uid"]) == expected
    assert f"{gl[0]['uid']} highlighted: {len(expected):,} of its executions on this page" in images(at)[0]
    shown = cypher_shown(at)
    assert "SKIP $skip" in shown and "MATCH (s:PipelineSummary)" in shown


# -- Graphlet ---------------------------------------------------------------------------------------


def test_graphlet_page_members_neighbours_features(corpus: Warehouse) -> None:
    row = q(
        corpus,
        "MATCH (p:Graphlet)-[:NEXT]->(g:Graphlet)-[:NEXT]->(n:Graphlet) "
        "RETURN g.uid AS uid, p.uid AS prev, n.uid AS next, g.pipeline AS pipeline, "
        "g.n_executions + g.n_artifacts AS members ORDER BY g.uid LIMIT 1",
    )[0]
    at = app("graphlet.py", uid=row["uid"])
    assert at.subheader[0].value == row["uid"]
    # long names in full text, not cut in a metric tile; times to the second, in UTC
    assert any(f"Pipeline **{row['pipeline']}**" in m.value for m in at.markdown)
    assert not any(m.label == "Pipeline" for m in at.metric)
    g = q(corpus, "MATCH (g:Graphlet {uid: $uid}) RETURN g.started AS s, g.ended AS e", uid=row["uid"])[0]

    def utc(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    assert f"From {utc(g['s'])} to {utc(g['e'])}" in [c.value for c in at.caption]
    # cost by stage, every stage labelled in pipeline order, spelled as on the Overview
    (stages,) = images(at)
    assert [part.split()[0] for part in stages.split(" · ")] == [
        "ingest",
        "data-validation",
        "preprocessing",
        "training",
        "model-validation",
        "deployment",
        "other",
    ]
    # Neo4j Browser opens with the graphlet query and its $uid
    (link,) = at.get("link_button")
    assert link.proto.label == "Open in Neo4j Browser"
    url = unquote(link.proto.url)
    assert "/browser/?cmd=edit&arg=" in url and f':param uid => "{row["uid"]}"' in url
    assert "MATCH (g:Graphlet {uid: $uid})" in url
    members = tables(at)[0]
    assert len(members) == row["members"]
    # the other tabs are drawn when the user opens them
    assert not at.get("graphviz_chart") and not any("span_jaccard" in d.value.columns for d in at.dataframe)
    assert in_tab(at, "Subgraph").get("graphviz_chart"), "no subgraph drawn"
    in_tab(at, "History and neighbours")
    hist = next(d.value for d in at.dataframe if "span_jaccard" in d.value.columns)
    assert hist.set_index("offset").loc[-1, "uid"] == row["prev"]
    assert hist.set_index("offset").loc[1, "uid"] == row["next"]
    assert hist.set_index("offset").loc[0, "span_jaccard"] == 1.0 or pd.isna(
        hist.set_index("offset").loc[0, "span_jaccard"]
    )
    # the feature frame's rows, this graphlet and its predecessors
    feats = [d.value for d in at.dataframe if "this (0)" in d.value.columns]
    assert feats and "-1" in feats[0].columns and "jaccard_1" in feats[0].index
    # one neighbour each side; the choice is still there after a look at another tab
    at.slider(key="graphlet_k").set_value(1)
    in_tab(at, "History and neighbours")
    assert list(next(d.value for d in at.dataframe if "span_jaccard" in d.value.columns)["offset"]) == [-1, 0, 1]
    in_tab(at, "Members")
    in_tab(at, "History and neighbours")
    assert at.slider(key="graphlet_k").value == 1
    assert list(next(d.value for d in at.dataframe if "span_jaccard" in d.value.columns)["offset"]) == [-1, 0, 1]

    # neighbours via NEXT: the "previous" button opens the previous graphlet
    at.button(key="graphlet_prev").click().run()
    assert at.subheader[0].value == row["prev"]
    assert "MATCH (g:Graphlet {uid: $uid})" in cypher_shown(at)


def graphlet_shown(at: AppTest) -> tuple[str, str, str | None, str | None]:
    """What the Graphlet page shows: its heading, the Pipeline and Graphlet pickers, the address's uid."""
    assert not at.exception, [e.value for e in at.exception]
    addressed = at.query_params.get("uid")
    return (
        str(at.subheader[0].value) if at.subheader else "",
        str(at.selectbox(key=graphlet.PIPELINE_KEY).value),
        at.selectbox(key=graphlet.PICK_KEY).value,
        addressed[0] if addressed else None,
    )


def test_graphlet_page_pipeline_picker_is_bounded_and_keeps_the_shown_pipeline(
    corpus: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_data, "MAX_CHOICES", 2)
    row = q(
        corpus,
        "MATCH (g:Graphlet) WITH g.store AS store, g.pipeline AS pipeline, max(g.trainer_created) AS t, "
        "collect(g.uid) AS uids RETURN store, pipeline, uids ORDER BY store DESC, pipeline DESC LIMIT 1",
    )[0]
    n = q(corpus, "MATCH (g:Graphlet) RETURN count(DISTINCT [g.store, g.pipeline]) AS n")[0]["n"]
    assert n > 3
    at = app("graphlet.py", uid=row["uids"][0])
    box = at.selectbox(key=graphlet.PIPELINE_KEY)
    # two pipelines and the one of the graphlet shown (last in the list), which is selected
    assert len(box.options) == 3
    assert box.value == box.options[-1] == graphlet.label(row["store"], row["pipeline"])
    note = f"The Pipeline picker lists 3 of {n:,} pipelines: search for the others."
    assert note in [c.value for c in at.caption]
    assert at.subheader[0].value == row["uids"][0]


def test_graphlet_picker_lists_a_window_around_the_shown_graphlet(
    corpus: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_data, "MAX_CHOICES", 3)
    row = q(
        corpus,
        "MATCH (g:Graphlet) WITH g ORDER BY g.trainer_created, g.trainer_mlmd_id "
        "WITH g.store AS store, g.pipeline AS pipeline, collect(g.uid) AS uids WHERE size(uids) >= 5 "
        "RETURN store, pipeline, uids ORDER BY size(uids) DESC, pipeline LIMIT 1",
    )[0]
    uids, n = row["uids"], len(row["uids"])
    # the graphlet shown with its neighbours in trainer order, and where they stand in the pipeline
    at = app("graphlet.py", uid=uids[2])
    box = at.selectbox(key=graphlet.PICK_KEY)
    assert box.options == [box.format_func(u) for u in uids[1:4]] and box.value == uids[2]
    assert box.format_func(uids[2]).startswith(f"{uids[2]}  ·  ")
    note = (
        f"Lists graphlets 2–4 of the pipeline's {n:,} (trainer order): previous / next and the search reach the others."
    )
    assert note in [c.value for c in at.caption]
    # the next graphlet moves the window with it; a pipeline chosen shows its latest graphlets
    at.button(key="graphlet_next").click().run()
    assert at.selectbox(key=graphlet.PICK_KEY).value == uids[3]
    assert at.selectbox(key=graphlet.PICK_KEY).options[-1] == box.format_func(uids[4])
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.switch_page("graphlet.py")
    at.session_state[graphlet.PIPELINE_KEY] = graphlet.label(row["store"], row["pipeline"])
    at.session_state[graphlet.FOLLOW_KEY] = True  # as the Pipeline picker does when the user chooses one
    at.run()
    box = at.selectbox(key=graphlet.PICK_KEY)
    assert box.value == uids[-1] and box.options == [box.format_func(u) for u in uids[-3:]]


def test_graphlet_page_shows_the_graphlet_its_address_names(corpus: Warehouse) -> None:
    """At the paper scale the page, asked for one graphlet (?uid=), showed the first pipeline's latest and
    rewrote the address to it. The same conditions at small scale: the requested graphlet is neither the
    first pipeline's nor its own pipeline's latest, and the pickers' lists lack it."""
    row = q(
        corpus,
        "MATCH (g:Graphlet) WITH g ORDER BY g.trainer_created, g.trainer_mlmd_id "
        "WITH g.store AS store, g.pipeline AS pipeline, collect(g.uid) AS uids WHERE size(uids) >= 2 "
        "RETURN store, pipeline, uids ORDER BY store DESC, pipeline DESC LIMIT 1",
    )[0]
    uid, store = row["uids"][0], row["store"]
    wanted = (uid, graphlet.label(store, row["pipeline"]), uid, uid)
    at = app("graphlet.py", uid=uid)
    assert graphlet_shown(at) == wanted
    first = at.selectbox(key=graphlet.PIPELINE_KEY).options[0]
    assert first != wanted[1]

    # its pipeline's summary is missing (as before `mlprov graphlets` rewrote it after a load)
    corpus._driver.execute_query(
        "MATCH (s:PipelineSummary {store: $store, pipeline: $pipeline}) DETACH DELETE s",
        store=store,
        pipeline=row["pipeline"],
        database_=corpus.connection.database,
        bookmark_manager_=None,
    )
    try:
        common.clear_cache()
        at = app("graphlet.py", uid=uid)
        assert graphlet_shown(at) == wanted
        assert wanted[1] in at.selectbox(key=graphlet.PIPELINE_KEY).options
    finally:
        refresh_store(corpus, store)

    # the session's store filter names another store
    other = next(
        r["name"] for r in q(corpus, "MATCH (s:Store) RETURN s.name AS name ORDER BY name") if r["name"] != store
    )
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.query_params["uid"] = uid
    at.switch_page("graphlet.py")
    at.session_state["store"] = other
    at.run()
    assert graphlet_shown(at) == wanted

    # no such graphlet: the page says so and the address stays
    missing = f"{store}:g:999999999"
    at = app("graphlet.py", uid=missing)
    assert any(f"No graphlet {missing!r}" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.query_params.get("uid") == [missing] and at.selectbox(key=graphlet.PICK_KEY).value is None

    # the user's choices change it: another graphlet, then another pipeline (its latest graphlet)
    at = app("graphlet.py", uid=uid)
    at.selectbox(key=graphlet.PICK_KEY).select(row["uids"][1]).run()
    assert graphlet_shown(at) == (row["uids"][1], wanted[1], row["uids"][1], row["uids"][1])
    at.selectbox(key=graphlet.PIPELINE_KEY).select(first).run()
    latest = q(
        corpus,
        "MATCH (g:Graphlet {store: $s, pipeline: $p}) RETURN g.uid AS uid "
        "ORDER BY g.trainer_created DESC, g.trainer_mlmd_id DESC LIMIT 1",
        s=first.rpartition(graphlet.SEPARATOR)[2],
        p=first.rpartition(graphlet.SEPARATOR)[0],
    )[0]["uid"]
    assert graphlet_shown(at) == (latest, first, latest, latest)


def test_graphlet_history_features_are_built_once_per_data_version(
    corpus: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlprov.features import frame

    built: list[list[str]] = []
    compute = frame.compute_frame

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(list(kwargs.get("uids") or []))
        return compute(*args, **kwargs)

    monkeypatch.setattr(frame, "compute_frame", counted)
    row = q(
        corpus,
        "MATCH (p:Graphlet)-[:NEXT]->(g:Graphlet) RETURN g.uid AS uid, g.store AS store ORDER BY g.uid LIMIT 1",
    )[0]

    def features(at: AppTest) -> pd.DataFrame:
        return next(d.value for d in at.dataframe if "this (0)" in d.value.columns)

    at = in_tab(app("graphlet.py", uid=row["uid"]), "History and neighbours")
    shown = features(at)
    assert len(built) == 1 and row["uid"] in built[0] and "-1" in shown.columns
    # another tab and back: the same table, not built again
    in_tab(at, "Members")
    in_tab(at, "History and neighbours")
    assert len(built) == 1
    pd.testing.assert_frame_equal(features(at), shown)
    # the store's summaries rewritten (a new data version, as after a reload and `mlprov graphlets`): built again
    refresh_store(corpus, row["store"])
    in_tab(at, "History and neighbours")
    assert len(built) == 2
    pd.testing.assert_frame_equal(features(at), shown)


@pytest.fixture(scope="module")
def trained_home(corpus: Warehouse, neo4j_connection: Connection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLPROV_HOME of its own holding one model that `mlprov train` fitted on the module's corpus."""
    home = tmp_path_factory.mktemp("app_trained_home")
    res = run_cli("train", "--set", "input", "--seed", "0", env=elsewhere_env(neo4j_connection, home))
    assert res.returncode == 0, res.stderr
    assert (home / "models" / "latest").exists()
    return home


def use_home(monkeypatch: pytest.MonkeyPatch, conn: Connection, home: Path) -> None:
    """Point the in-process app at ``home`` (its models) and the session's Neo4j."""
    for k, v in elsewhere_env(conn, home).items():
        monkeypatch.setenv(k, v)


def forget_predictions(wh: Warehouse) -> None:
    """Test-side cleanup: no graphlet carries a prediction (as before any `mlprov predict`), and the
    summaries say so."""
    for statement in (
        "MATCH (g:Graphlet) REMOVE g.push_probability, g.push_decision, g.model_version, g.contributions",
        "MATCH (s:PipelineSummary) REMOVE s.predicted_from",  # what `mlprov predict` predicted each pipeline from
    ):
        wh._driver.execute_query(
            statement,
            database_=wh.connection.database,
            bookmark_manager_=None,  # the database may have been replaced since (bulk import, restore)
        )
    for row in q(wh, "MATCH (s:Store) RETURN s.name AS name"):
        refresh_store(wh, row["name"])


def first_decided(wh: Warehouse) -> str:
    return str(
        q(wh, "MATCH (g:Graphlet) WHERE g.pushed IS NOT NULL RETURN g.uid AS uid ORDER BY uid LIMIT 1")[0]["uid"]
    )


def test_graphlet_page_without_a_model_says_so(
    corpus: Warehouse, neo4j_connection: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlprov.app import push_model

    use_home(monkeypatch, neo4j_connection, tmp_path / "no_model_home")
    at = in_tab(app("graphlet.py", uid=first_decided(corpus)), "Prediction")
    assert [w.value for w in at.warning] == [push_model.NO_MODEL]
    assert at.button(key="predict_run").disabled
    # a predictor that cannot be imported is named as such, not passed off as "no model"
    monkeypatch.setattr(push_model, "PREDICTOR", "mlprov.features.no_such_predictor")
    at = in_tab(app("graphlet.py", uid=first_decided(corpus)), "Prediction")
    assert len(at.warning) == 1 and "cannot be imported" in at.warning[0].value, [w.value for w in at.warning]
    assert push_model.NO_MODEL not in at.warning[0].value
    assert at.button(key="predict_run").disabled


def test_graphlet_prediction_on_a_selection(
    corpus: Warehouse, trained_home: Path, neo4j_connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlprov.features.frame import build_frame
    from mlprov.features.predictor import load_model

    use_home(monkeypatch, neo4j_connection, trained_home)
    forget_predictions(corpus)
    uid = first_decided(corpus)
    at = in_tab(app("graphlet.py", uid=uid), "Prediction")
    assert not at.warning and not at.button(key="predict_run").disabled
    at.button(key="predict_run").click()
    in_tab(at, "Prediction")
    model = load_model()
    assert [s.value for s in at.success] == [
        f"predicted 1 graphlet(s) with model {model.version}; 1 prediction(s) written back"
    ]
    stored = q(
        corpus,
        "MATCH (g:Graphlet) WHERE g.push_probability IS NOT NULL RETURN g.uid AS uid, "
        "g.push_probability AS p, g.model_version AS v",
    )
    assert [(r["uid"], r["v"]) for r in stored] == [(uid, model.version)]  # that graphlet only
    # the probability is the saved model's on that graphlet's feature row
    ff = build_frame(corpus)
    expected = float(model.predict_proba(ff.data[ff.data["uid"] == uid])[0])
    assert stored[0]["p"] == pytest.approx(expected, abs=1e-6)
    in_tab(at, "Prediction")
    assert metric(at, "Push probability") == f"{expected:.2f}"
    # the decision with the threshold it was made at, and several signed contributions
    assert metric(at, "Decision") == ("run" if expected >= model.threshold else "skip")
    assert any(f"run when the push probability ≥ threshold {model.threshold:.2f}" in c.value for c in at.caption)
    written = json.loads(q(corpus, "MATCH (g:Graphlet {uid: $uid}) RETURN g.contributions AS c", uid=uid)[0]["c"])
    assert len(written) >= 2
    titles = [c.get("title") for c in charts(at)]
    assert f"Top {len(written)} feature contributions (green: towards a push)" in titles


# -- Predictor --------------------------------------------------------------------------------------


def curve_by_hand(rows: list[dict[str, Any]], t: float) -> tuple[float, float]:
    """(freshness, waste removed) at threshold t, straight from the definitions in docs/predictor.md."""
    pushed = [r for r in rows if r["pushed"]]
    unpushed = [r for r in rows if r["pushed"] is False]
    fresh = sum(1 for r in pushed if r["p"] >= t) / len(pushed)
    total = sum(r["cost"] for r in unpushed)
    spent = sum(r["cost"] for r in unpushed if r["p"] >= t)
    return fresh, 1 - spent / total


def statement_notes(expander: Any) -> dict[str, str]:
    """Each statement in an opened "Cypher this page ran" expander with its note (rows and time)."""
    heads = [str(m.value) for m in expander.markdown if str(m.value).startswith("**`")]
    return {h.split("`")[1]: h.split("**", 2)[2].strip() for h in heads}


def statements_ran(at: AppTest) -> list[str]:
    """The names of the statements in the "Cypher this page ran" expander, opened."""
    return [str(m.value).split("`")[1] for m in cypher_opened(at).markdown if str(m.value).startswith("**`")]


def decided_predictions(wh: Warehouse) -> list[dict[str, Any]]:
    return q(
        wh,
        "MATCH (g:Graphlet) WHERE g.pushed IS NOT NULL RETURN g.pushed AS pushed, toFloat(coalesce(g.cost, 0.0)) "
        "AS cost, g.push_probability AS p, g.model_version AS v ORDER BY g.uid",
    )


def check_curve_shown(at: AppTest, rows: list[dict[str, Any]]) -> None:
    """The page's numbers against the definitions: at the default threshold, at the median probability
    (where some unpushed cost is removed), at 100% freshness; the counts and model versions."""
    median = round(sorted(r["p"] for r in rows)[len(rows) // 2], 2)
    for t in (0.5, median):
        at.slider(key="predictor_threshold").set_value(t).run()
        fresh, removed = curve_by_hand(rows, t)
        assert metric(at, "Freshness at threshold") == f"{fresh:.1%}"
        assert metric(at, "Waste removed at threshold") == f"{removed:.1%}"
    # 100% freshness on the page's grid of thresholds (0.00, 0.01, ... 1.00)
    lowest_pushed = min(r["p"] for r in rows if r["pushed"])
    best = max(curve_by_hand(rows, i / 100)[1] for i in range(101) if i / 100 <= lowest_pushed)
    assert metric(at, "Waste removed at 100% freshness") == f"{best:.1%}"
    versions = sorted({r["v"] for r in rows})
    counts = ", ".join(f"{v} ({sum(1 for r in rows if r['v'] == v):,})" for v in versions)
    n_pushed = sum(1 for r in rows if r["pushed"])
    assert any(
        c.value == f"{len(rows):,} graphlets with a prediction ({n_pushed:,} pushed); model version(s) "
        f"(graphlets): {counts}."
        for c in at.caption
    ), [c.value for c in at.caption]
    assert any("freshness" in json.dumps(s) for s in charts(at))


def test_predictor_curve_from_written_back_predictions(
    corpus: Warehouse,
    trained_home: Path,
    neo4j_connection: Connection,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    forget_predictions(corpus)
    at = app("tradeoff.py")
    assert any(i.value.startswith("No predictions in the warehouse yet") for i in at.info)
    assert not [m for m in at.metric if m.label == "Freshness at threshold"]
    # `mlprov predict` with the trained model writes a probability on every graphlet
    res = run_cli("predict", "--limit", "0", env=elsewhere_env(neo4j_connection, trained_home))
    assert res.returncode == 0, res.stderr
    rows = decided_predictions(corpus)
    assert rows and all(r["p"] is not None for r in rows)
    use_home(monkeypatch, neo4j_connection, trained_home)
    # no cache clearing: `mlprov predict` rewrote the summaries, so the cached answers are not used
    at.run()
    check_curve_shown(at, rows)
    # the page reads the store summaries only (one index-backed statement; no graphlet is read)
    assert statements_ran(at) == ["app/stores"]

    # predicted again by another model: the open page shows the new numbers (no cache clearing)
    other = tmp_path / "other_model_home"
    env = elsewhere_env(neo4j_connection, other)
    assert run_cli("train", "--set", "history", "--seed", "1", env=env).returncode == 0
    assert run_cli("predict", "--limit", "0", env=env).returncode == 0
    again = decided_predictions(corpus)
    assert {r["v"] for r in again} != {r["v"] for r in rows}
    assert [r["p"] for r in again] != [r["p"] for r in rows]
    at.run()
    check_curve_shown(at, again)


def test_predict_rewrites_the_predictions_part_of_the_summaries(
    corpus: Warehouse, trained_home: Path, neo4j_connection: Connection
) -> None:
    """`mlprov predict` writes each predicted pipeline's latest prediction and its store's prediction
    counts into the summaries; a pipeline whose summary is missing gets its whole summary written."""
    forget_predictions(corpus)
    key = q(
        corpus, "MATCH (s:PipelineSummary) RETURN s.store AS store, s.pipeline AS pipeline ORDER BY store, pipeline"
    )[0]
    one = "MATCH (s:PipelineSummary {store: $store, pipeline: $pipeline}) "
    before = q(corpus, one + "RETURN properties(s) AS p", **key)[0]["p"]
    corpus._driver.execute_query(one + "DELETE s", **key, database_=corpus.connection.database, bookmark_manager_=None)
    res = run_cli("predict", "--limit", "0", env=elsewhere_env(neo4j_connection, trained_home))
    assert res.returncode == 0, res.stderr
    newest = q(
        corpus,
        "MATCH (g:Graphlet) WHERE g.pipeline IS NOT NULL AND g.push_probability IS NOT NULL "
        "WITH g ORDER BY g.trainer_created DESC, g.trainer_mlmd_id DESC "
        "WITH g.store AS store, g.pipeline AS pipeline, collect(g)[0] AS g "
        "RETURN store, pipeline, g.uid AS uid, g.push_probability AS p ORDER BY store, pipeline",
    )
    summaries = q(
        corpus,
        "MATCH (s:PipelineSummary) RETURN s.store AS store, s.pipeline AS pipeline, s.latest_prediction AS uid, "
        "s.latest_probability AS p ORDER BY store, pipeline",
    )
    # every pipeline with a prediction shows its newest one; the others (no graphlet) show none
    assert len(newest) > 1 and [r for r in summaries if r["uid"] is not None] == newest
    assert all(
        r["p"] is None
        for r in summaries
        if (r["store"], r["pipeline"]) not in {(n["store"], n["pipeline"]) for n in newest}
    )
    # the missing summary is whole again: everything but the write times and the prediction as before
    after = q(corpus, one + "RETURN properties(s) AS p", **key)[0]["p"]
    assert after["latest_prediction"] is not None
    unchanged = {k for k in before if k not in ("written_at", "predictions_written_at")}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    counted = q(corpus, "MATCH (s:StoreSummary) RETURN sum(s.predicted) AS n")
    assert counted == q(corpus, "MATCH (g:Graphlet) WHERE g.push_probability IS NOT NULL RETURN count(g) AS n")


def test_predictor_curve_bins_probabilities_on_the_grid(corpus: Warehouse) -> None:
    """Probabilities on the slider's grid (0.29 * 100 = 28.999… in floating point) and at its ends are
    counted at the thresholds they reach, as the definition compares them (p ≥ t)."""
    graphlets = q(corpus, "MATCH (g:Graphlet) WHERE g.pushed IS NOT NULL RETURN g.uid AS uid ORDER BY uid")
    grid = [0.0, 0.29, 0.57, 0.58, 0.999, 1.0, 0.005, 0.5]
    corpus._driver.execute_query(
        "UNWIND $rows AS row MATCH (g:Graphlet {uid: row.uid}) "
        "SET g.push_probability = row.p, g.model_version = 'grid-test'",
        rows=[{"uid": g["uid"], "p": grid[i % len(grid)]} for i, g in enumerate(graphlets)],
        database_=corpus.connection.database,
        bookmark_manager_=None,
    )
    try:
        for row in q(corpus, "MATCH (s:Store) RETURN s.name AS name"):
            refresh_store(corpus, row["name"])
        rows = decided_predictions(corpus)
        assert {r["pushed"] for r in rows} == {True, False}
        cat = shared_data.catalog(shared_data.Reader(corpus))
        preds = tradeoff_data.predictions(cat, cat.names)
        assert (preds.graphlets, preds.versions) == (len(rows), {"grid-test": len(rows)})
        for i in range(101):
            fresh, removed = curve_by_hand(rows, i / 100)
            point = preds.at(i / 100)
            assert (point["threshold"], point["freshness"]) == (i / 100, pytest.approx(fresh)), i
            assert point["waste_removed"] == pytest.approx(removed), i
    finally:
        forget_predictions(corpus)


# -- Console ----------------------------------------------------------------------------------------


def run_console(at: AppTest, text: str, limit: int | None = None) -> AppTest:
    at.text_area(key="console_text").input(text)
    if limit is not None:
        at.number_input(key="console_limit").set_value(limit)
    at.button(key="console_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_console_free_text_library_and_csv(corpus: Warehouse) -> None:
    at = app("console.py")
    n = q(corpus, "MATCH (g:Graphlet) RETURN count(g) AS n")[0]["n"]
    run_console(at, "MATCH (g:Graphlet) RETURN count(g) AS n")
    assert not at.error
    assert int(at.dataframe[0].value["n"][0]) == n
    assert at.get("download_button"), "no CSV download"

    # a library query, its parameter bound
    at.selectbox(key="console_query").select("pipelines").run()
    assert "MATCH (p:Pipeline)" in at.text_area(key="console_text").value
    at.text_input(key="console_param_pipelines_store").input("redwine_pushers_v10")
    at.button(key="console_run").click().run()
    expected = q(corpus, "MATCH (p:Pipeline {store: 'redwine_pushers_v10'}) RETURN count(p) AS n")[0]["n"]
    assert len(at.dataframe[0].value) == expected
    assert set(at.dataframe[0].value["store"]) == {"redwine_pushers_v10"}

    # the row limit cuts and says so
    at.selectbox(key="console_query").select("(free Cypher)").run()
    run_console(at, "MATCH (e:Execution) RETURN e.uid AS uid", limit=5)
    assert len(at.dataframe[0].value) == 5
    assert any("cut at the row limit of 5" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE (n)",
        "MATCH (g:Graphlet) SET g.evil = 1",
        "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    ],
)
def test_console_refuses_writes(corpus: Warehouse, statement: str) -> None:
    before = q(corpus, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    at = run_console(app("console.py"), statement)
    assert at.error and "refused" in at.error[0].value, [e.value for e in at.error]
    assert not at.get("download_button")
    assert q(corpus, "MATCH (n) RETURN count(n) AS n")[0]["n"] == before
    assert q(corpus, "MATCH (g:Graphlet) WHERE g.evil IS NOT NULL RETURN count(g) AS n")[0]["n"] == 0


# -- What a page load costs: index-backed statements only, cached until the data changes --------------


def plan_operators(wh: Warehouse, text: str, params: dict[str, Any]) -> list[str]:
    """The operators of the server's profiled plan of a statement (PROFILE runs it)."""
    with wh._driver.session(database=wh.connection.database) as s:
        profile = s.run("PROFILE " + text, params).consume().profile
    ops, stack = [], [profile] if profile else []
    while stack:
        op = stack.pop()
        ops.append(str(op.get("operatorType", "")).split("@", 1)[0])
        stack.extend(op.get("children", []))
    return ops


def test_every_page_statement_is_index_backed(corpus: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlprov.queries import query

    ran: list[tuple[str, dict[str, Any]]] = []
    original = Warehouse.read

    def recording(self: Warehouse, name: str, /, **params: Any) -> list[dict[str, Any]]:
        ran.append((name, params))
        return original(self, name, **params)

    monkeypatch.setattr(Warehouse, "read", recording)
    top = q(
        corpus,
        "MATCH (g:Graphlet) RETURN g.store AS store, g.pipeline AS pipeline, count(g) AS n ORDER BY n DESC LIMIT 1",
    )[0]
    uid = first_decided(corpus)
    app()
    at = app("pipelines.py", store=top["store"], pipeline=top["pipeline"])
    at.selectbox(key="trace_highlight").select(at.selectbox(key="trace_highlight").options[1]).run()
    at = app("graphlet.py", uid=uid)
    in_tab(at, "Subgraph")
    in_tab(at, "History and neighbours")
    at.session_state[graphlet.SEARCH_KEY] = True  # the user opens the folded search
    at.run()
    at.text_input(key="graphlet_search").input(uid.split(":")[0])
    at.session_state[graphlet.SEARCH_KEY] = True
    at.run()
    app("tradeoff.py")
    app("console.py")
    names = {name for name, _ in ran}
    expected = {
        "app/stores",
        "app/pipeline_summaries",
        "app/pipeline_summary",
        "app/pipeline_executions",
        "app/graphlets_between",
        "app/pipeline_graphlets",
        "app/graphlet",
        "app/graphlet_members",
        "app/graphlet_edges",
        "app/graphlet_neighbours",
        "app/graphlet_search",
        "app/graphlet_choices",
    }
    assert expected <= names, expected - names
    checked = 0
    for name, params in {json.dumps([n, p], sort_keys=True): (n, p) for n, p in ran}.values():
        ops = plan_operators(corpus, query(name).text, params)
        scans = [op for op in ops if op == "AllNodesScan" or ("Label" in op and "Scan" in op)]
        assert not scans, (name, params, ops)
        checked += 1
    assert checked >= len(expected)


def test_a_reload_invalidates_the_cached_page(corpus: Warehouse, tmp_path: Path) -> None:
    from tests.mlmd_builder import MlmdBuilder

    def trace(trainers: int) -> MlmdBuilder:
        b = MlmdBuilder(pipeline="reloaded_pipe")
        _, (examples,) = b.step("ExampleGen", 0, 10, outputs=["Examples"], span=1)
        for i in range(trainers):
            b.step("Trainer", 20 + 20 * i, 30 + 20 * i, inputs=[examples], outputs=["Model"])
        return b

    source = tmp_path / "reloaded.sqlite"
    trace(1).write(source)
    Loader(corpus).load(source, store="reloaded")
    build_graphlets(corpus, store="reloaded")
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.query_params.update(store="reloaded", pipeline="reloaded_pipe")
    at.switch_page("pipelines.py")
    first = statement_notes(cypher_opened(at))  # every answer read from Neo4j: its time
    assert (metric(at, "Executions"), metric(at, "Model graphlets")) == ("2", "1")
    # the same data: answered from the cache, each statement with the time it took when it was read
    again = statement_notes(cypher_opened(at))
    assert again.keys() == first.keys() and "app/pipeline_summary" in first
    for name, note in first.items():
        assert re.fullmatch(r"\d+ row\(s\), \d+ ms", note), note
        if name != "app/stores":  # read fresh on every run: it sets the cache's data version
            assert again[name] == f"{note} when read, now from the cache"

    # the store changes at its source and is loaded again (and its graphlets rebuilt): the open page shows it
    source.unlink()
    trace(2).write(source)
    Loader(corpus).load(source, store="reloaded", replace=True)  # a new file: loaded anew
    build_graphlets(corpus, store="reloaded")
    at.run()
    assert (metric(at, "Executions"), metric(at, "Model graphlets")) == ("3", "2")
    # a reload without the graphlet build: the page says its summaries are older than the load
    source.unlink()
    trace(3).write(source)
    Loader(corpus).load(source, store="reloaded", replace=True)
    summaries = "MATCH (s) WHERE (s:PipelineSummary OR s:StoreSummary) AND s.store = 'reloaded' RETURN count(s) AS n"
    assert q(corpus, summaries) == [{"n": 0}]  # the replaced load's summaries went with it
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("reloaded" in w.value and "mlprov graphlets" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]


# -- the contributor guide's worked example (docs/contributing.md: "A new app page") --------------------

EXAMPLE_PAGE = '''"""Store states: each loaded store and its load status (the guide's worked example)."""

import streamlit as st

from mlprov.app import common, store_states_data


def render() -> None:
    st.title("Store states")
    r = common.reader()
    st.dataframe(store_states_data.states(r), hide_index=True)
    common.show_cypher(r)


if __name__ == "__main__":
    render()
'''
EXAMPLE_DATA = '''"""The Store states page's data."""

import pandas as pd

from mlprov.app.shared_data import PageEntry, Reader

PAGE = PageEntry("Store states", ":material/storage:", order=60)


def states(r: Reader) -> pd.DataFrame:
    return r.frame("app/store_states", ("store", "status"))
'''
EXAMPLE_QUERY = """\
// Purpose: Every store of the warehouse and its load status (the contributor guide's example page).
// Parameters: none
// Returns: one row per store: store, status
MATCH (s:Store) WHERE s.name IS NOT NULL
RETURN s.name AS store, s.status AS status ORDER BY store
"""


def test_worked_example_a_new_page_is_three_new_files(
    corpus: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page, its data module (with its PAGE entry) and its query: no existing file is edited, and the
    page is in the navigation, renders the stores and shows the Cypher it ran."""
    import mlprov.app
    from mlprov.app.main import pages
    from mlprov.queries import catalog, parse

    folder = tmp_path / "example"
    folder.mkdir()
    (folder / "store_states.py").write_text(EXAMPLE_PAGE)
    (folder / "store_states_data.py").write_text(EXAMPLE_DATA)
    monkeypatch.setitem(catalog(), "app/store_states", parse("app/store_states", EXAMPLE_QUERY))
    monkeypatch.setattr(mlprov.app, "__path__", [*mlprov.app.__path__, str(folder)])
    titles = [entry.title for _, entry in pages()]
    assert titles == ["Overview", "Pipelines", "Graphlet", "Predictor", "Console", "Store states"]
    at = app(str(folder / "store_states.py"))
    shown = at.dataframe[0].value
    expected = q(corpus, "MATCH (s:Store) RETURN s.name AS store, s.status AS status ORDER BY store")
    assert shown.to_dict("records") == expected and len(expected) >= 2
    assert {r["status"] for r in expected} == {"complete"}
    assert "MATCH (s:Store)" in cypher_shown(at)


# -- Neo4j dying under a loaded warehouse (before the empty-warehouse test clears the graph) ----------


def test_neo4j_dying_mid_session_is_one_line_then_recovers(
    corpus: Warehouse, neo4j_connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = TcpProxy(int(neo4j_connection.uri.rsplit(":", 1)[1]))
    proxy.start()
    uri = f"bolt://127.0.0.1:{proxy.port}"
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_connection.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    monkeypatch.setenv("MLPROV_RETRY_SECONDS", "1")
    stores = q(corpus, "MATCH (s:Store) RETURN count(s) AS n")[0]["n"]
    try:
        for page in ("overview.py", "pipelines.py", "tradeoff.py", "console.py"):
            at = app(page)
            assert not at.error, page
            proxy.stop()  # Neo4j "dies" while the page is open
            common.clear_cache()
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            assert len(at.error) == 1 and "\n" not in at.error[0].value, (page, [e.value for e in at.error])
            assert uri in at.error[0].value, (page, at.error[0].value)
            proxy.start()  # ... and comes back: the next run connects again
            common.clear_cache()
            at.run()
            assert not at.error and not at.exception, (page, [e.value for e in at.error])
        assert metric(app(), "Stores") == f"{stores:,}"
    finally:
        proxy.stop()


# -- Empty warehouse, Neo4j down, the command ------------------------------------------------------


def test_empty_warehouse_is_said_plainly(warehouse: Warehouse) -> None:
    for page in ("overview.py", "pipelines.py", "graphlet.py", "tradeoff.py"):
        at = app(page)
        assert any("The warehouse is empty" in i.value for i in at.info), page
    at = app("console.py")
    assert any("The warehouse is empty" in i.value for i in at.info)
    run_console(at, "RETURN 1 AS one")
    assert int(at.dataframe[0].value["one"][0]) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_neo4j_down_is_one_line_naming_the_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    monkeypatch.setenv("MLPROV_RETRY_SECONDS", "1")
    for page, query in (
        ("overview.py", {}),
        ("pipelines.py", {}),
        ("graphlet.py", {"uid": "mlmd-000:e:1"}),
        ("tradeoff.py", {}),
        ("console.py", {}),
    ):
        t0 = time.monotonic()
        at = app(page, **query)
        assert len(at.error) == 1 and uri in at.error[0].value and "\n" not in at.error[0].value, page
        assert time.monotonic() - t0 < 30
        assert not at.metric and not at.dataframe, page


def test_mlprov_app_serves_the_app(corpus: Warehouse) -> None:
    port = free_port()
    exe = Path(sys.executable).with_name("mlprov")
    proc = subprocess.Popen(
        [str(exe), "app", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == "ok"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out and "Neo4j: " in out
