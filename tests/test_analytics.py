"""Corpus analytics (``cypher/analytics/``, ``mlprov report``) against numbers recomputed from the MLMD
SQLite tables: the generated `tiny` corpus (loaded once per module) and a real fixture store.

The independent side never reads the loader or the graph: ``generator.check.store_stats`` (SQL only)
and the pandas helpers below. Where its definitions differ from the graph's they are compared like
with like. Push outcomes: store_stats counts every trainer that reached no pushing Pusher as unpushed,
while the graph decides only a COMPLETE trainer whose graphlet holds a deciding Pusher (FAILED trainers
and distillation teachers, whose Model feeds another Trainer, are undecided); ``push_outcomes`` walks
the graph's definition in SQL, and store_stats' pushes are compared over COMPLETE trainers. Span sets:
store_stats takes the spans the Trainer reads, the graph the Examples its graphlet holds; they are the
same sets on tiny, which the Jaccard comparison checks pair by pair.
"""

from __future__ import annotations

import itertools
import json
import math
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlprov.analysis.corpus import SIMILARITY_BINS, Analytics, run_analytics
from mlprov.db import Warehouse
from mlprov.features.frame import build_frame, write_next_similarity
from mlprov.generator.check import CorpusStats, store_stats
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from mlprov.loader.operators import OperatorMap
from tests.conftest import FIXTURES, run_cli
from tests.test_features import TINY_STORE, ensure_tiny

COST_PROPERTIES = ("cpu_seconds", "cpu_cost", "cpu_time", "cost")  # a recorded CPU figure, else wall time
STATES = {1: "NEW", 2: "RUNNING", 3: "COMPLETE", 4: "FAILED", 5: "CACHED", 6: "CANCELED"}
REDWINE = "redwine_pushers_v10"
DRUG = "drug_windows_localdag_v10"


# -- the independent side: SQL over the store's tables -------------------------------------------------


def sql(path: Path, query: str) -> pd.DataFrame:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return pd.read_sql_query(query, conn)
    finally:
        conn.close()


def executions_sql(path: Path) -> pd.DataFrame:
    """One row per execution: id, type name, state, created, updated, pipeline (the smallest name of its
    pipeline contexts, or None), operator kind / stage / category and cost, all from SQL + pandas."""
    ex = sql(
        path,
        "SELECT x.id, t.name AS type, x.last_known_state AS state, x.create_time_since_epoch AS created, "
        "x.last_update_time_since_epoch AS updated FROM Execution x JOIN Type t ON t.id = x.type_id",
    )
    pipes = sql(
        path,
        "SELECT a.execution_id AS id, MIN(c.name) AS pipeline FROM Association a "
        "JOIN Context c ON c.id = a.context_id JOIN Type t ON t.id = c.type_id "
        "WHERE t.name IN ('pipeline', 'system.Pipeline') GROUP BY a.execution_id",
    )
    ex = ex.merge(pipes, on="id", how="left")
    ops = OperatorMap()  # the built-in mapping is the definition of an operator kind
    mapped = [ops.operator(t) for t in ex["type"]]
    ex["kind"] = [o.kind for o in mapped]
    ex["stage"] = [o.stage or "other" for o in mapped]
    ex["category"] = pd.Series([o.category for o in mapped], index=ex.index, dtype=object)
    # cost: CACHED runs nothing (0); else the first numeric CPU property (custom before registered, in
    # COST_PROPERTIES order); else the wall duration updated - created in seconds, never negative
    props = sql(
        path,
        "SELECT execution_id AS id, name, is_custom_property AS custom, COALESCE(int_value, double_value) AS v "
        "FROM ExecutionProperty WHERE name IN ('cpu_seconds', 'cpu_cost', 'cpu_time', 'cost') "
        "AND COALESCE(int_value, double_value) IS NOT NULL",
    )
    props["rank"] = props["name"].map(COST_PROPERTIES.index) * 2 + (1 - props["custom"])
    recorded = props.sort_values("rank").groupby("id")["v"].first()
    wall = ((ex["updated"] - ex["created"]) / 1000.0).clip(lower=0.0)
    ex["cost"] = ex["id"].map(recorded).astype(float).fillna(wall)
    ex.loc[ex["state"] == 5, "cost"] = 0.0
    return ex


def push_outcomes(path: Path) -> dict[int, bool | None]:
    """Each non-CACHED trainer's push outcome as the graph defines it, by a recursive walk in SQL: the
    Pushers reached from the trainer's outputs through non-CACHED, non-Trainer executions decide it.
    A Pusher pushed when an output records pushed = 1, did not when its outputs record only 0 or it
    COMPLETEd without output; it pushed when it COMPLETEd with outputs recording nothing; else it is
    undecided. Only a COMPLETE trainer with a deciding Pusher is decided (True when any pushed)."""
    rows = sql(
        path,
        """
        WITH RECURSIVE
          trainer(id, state) AS (
            SELECT x.id, x.last_known_state FROM Execution x JOIN Type t ON t.id = x.type_id
            WHERE t.name LIKE '%Trainer%' AND COALESCE(x.last_known_state, 0) <> 5),
          down(root, eid) AS (
            SELECT id, id FROM trainer
            UNION
            SELECT d.root, i.execution_id FROM down d
            JOIN Event o ON o.execution_id = d.eid AND o.type = 4
            JOIN Event i ON i.artifact_id = o.artifact_id AND i.type = 3
            JOIN Execution y ON y.id = i.execution_id JOIN Type ty ON ty.id = y.type_id
            WHERE COALESCE(y.last_known_state, 0) <> 5 AND ty.name NOT LIKE '%Trainer%'),
          pusher(id, state, outs, ones, zeros) AS (
            SELECT x.id, x.last_known_state, COUNT(o.artifact_id),
                   SUM(CASE WHEN p.int_value = 1 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN p.int_value = 0 THEN 1 ELSE 0 END)
            FROM Execution x JOIN Type t ON t.id = x.type_id
            LEFT JOIN Event o ON o.execution_id = x.id AND o.type = 4
            LEFT JOIN ArtifactProperty p ON p.artifact_id = o.artifact_id AND p.name = 'pushed'
            WHERE t.name LIKE '%.Pusher' GROUP BY x.id)
        SELECT t.id, t.state, p.id AS pusher,
               CASE WHEN p.ones > 0 THEN 1 WHEN p.zeros > 0 THEN 0
                    WHEN p.state = 3 THEN (p.outs > 0) END AS decision
        FROM trainer t LEFT JOIN down d ON d.root = t.id LEFT JOIN pusher p ON p.id = d.eid
        """,
    )
    out: dict[int, bool | None] = {}
    for tid, grp in rows.groupby("id"):
        decisions = grp["decision"].dropna()
        complete = int(grp["state"].iloc[0]) == 3
        out[int(tid)] = bool((decisions == 1).any()) if complete and len(decisions) else None
    return out


def pipeline_contexts(path: Path) -> int:
    return int(
        sql(
            path,
            "SELECT COUNT(*) AS n FROM Context c JOIN Type t ON t.id = c.type_id "
            "WHERE t.name IN ('pipeline', 'system.Pipeline')",
        )["n"].iloc[0]
    )


def mlmd_id(uid: str) -> int:
    """The MLMD id in a graph uid (``<store>:g:<trainer id>``, ``<store>:e:<id>``)."""
    return int(uid.rsplit(":", 1)[1])


def ordered(graphlets: pd.DataFrame) -> pd.DataFrame:
    """Graphlets in pipeline order: trainer creation time, ties by trainer id."""
    return graphlets.sort_values(["pipeline", "created", "trainer_id"]).reset_index(drop=True)


def jaccard(a: Any, b: Any) -> float:
    if not a or not b:
        return math.nan
    return len(a & b) / len(a | b)


def bin_counts(values: pd.Series) -> list[int]:
    """Counts in [0,.25], (.25,.5], (.5,.75], (.75,1]."""
    cut = pd.cut(values.dropna().astype(float), [0.0, 0.25, 0.5, 0.75, 1.0], include_lowest=True, right=True)
    return [int(n) for n in cut.value_counts(sort=False).to_numpy()]


def check_lifespan_rows(life: pd.DataFrame, path: Path, stats: CorpusStats) -> None:
    """pipeline_lifespan rows == SQL: executions, first / last (ms), lifespan, models = non-CACHED trainers."""
    ex = executions_sql(path)
    expected = stats.pipelines.set_index("pipeline")
    assert sorted(life["pipeline"]) == sorted(expected.index)
    per_pipe = ex.dropna(subset=["pipeline"]).groupby("pipeline")
    for row in life.itertuples():
        e = expected.loc[row.pipeline]
        assert (row.first, row.last) == (int(e["first"]), int(e["last"])), row.pipeline
        assert row.executions == len(per_pipe.get_group(row.pipeline)), row.pipeline
        days = (int(e["last"]) - int(e["first"])) / 86_400_000.0
        assert math.isclose(row.lifespan_days, days, rel_tol=1e-12), row.pipeline
        assert row.models == int(e["graphlets"]), row.pipeline
        assert math.isclose(row.models_per_day, int(e["graphlets"]) / max(days, 1.0), rel_tol=1e-12)


def check_operator_rows(ops: pd.DataFrame, path: Path) -> None:
    """operator_usage rows == SQL: executions, pipelines running the kind, cost and shares per kind."""
    ex = executions_sql(path)
    all_pipelines = pipeline_contexts(path)
    total = float(ex["cost"].sum())
    exp = ex.groupby(["kind", "stage"]).agg(
        executions=("id", "size"),
        pipelines=("pipeline", "nunique"),
        cost=("cost", "sum"),
        category=("category", "first"),
    )
    got = ops.set_index(["kind", "stage"])
    assert sorted(got.index) == sorted(exp.index)
    for key, e in exp.iterrows():
        g = got.loc[key]
        assert int(g["executions"]) == int(e["executions"]), key
        assert (None if pd.isna(g["category"]) else g["category"]) == e["category"], key
        assert int(g["pipelines"]) == int(e["pipelines"]), key
        assert math.isclose(float(g["pipeline_share"]), int(e["pipelines"]) / all_pipelines, rel_tol=1e-12), key
        assert math.isclose(float(g["cost"]), float(e["cost"]), rel_tol=1e-9, abs_tol=1e-9), key
        if total:
            assert math.isclose(float(g["cost_share"]), float(e["cost"]) / total, rel_tol=1e-9, abs_tol=1e-12), key
    assert math.isclose(float(ops["cost"].sum()), total, rel_tol=1e-9)


# -- the tiny corpus: generated, loaded, graphlets built and similarities on :NEXT, once per module ---


@pytest.fixture(scope="module")
def tiny_path(tiny_dir: Path) -> Path:
    return tiny_dir / "stores" / f"{TINY_STORE}.sqlite"


@pytest.fixture(scope="module")
def tiny_stats(tiny_path: Path) -> CorpusStats:
    return store_stats(tiny_path)


@pytest.fixture
def tiny(_session_warehouse: Warehouse, tiny_dir: Path) -> Iterator[Warehouse]:
    """The warehouse holding tiny with its graphlets and the lag-1 similarities on the :NEXT links
    (reloaded if another test emptied the graph; rewriting unchanged similarities writes nothing)."""
    ensure_tiny(_session_warehouse, tiny_dir)
    write_next_similarity(_session_warehouse, build_frame(_session_warehouse).data)
    yield _session_warehouse


@pytest.fixture
def tiny_analytics(tiny: Warehouse) -> Analytics:
    return run_analytics(tiny)


def test_pipeline_lifespan_matches_sql(tiny_analytics: Analytics, tiny_path: Path, tiny_stats: CorpusStats) -> None:
    life = tiny_analytics["pipeline_lifespan"]
    assert len(life) == 6 and set(life["store"]) == {TINY_STORE}
    check_lifespan_rows(life, tiny_path, tiny_stats)
    # models: one per non-CACHED trainer, so they add up to the corpus's graphlets
    assert int(life["models"].sum()) == len(tiny_stats.graphlets) == len(tiny_analytics["graphlets"])
    # the summary reports the same figures
    figs = {f.statistic: f.ours for f in tiny_analytics.figures}
    assert figs["pipelines"] == 6
    days = (tiny_stats.pipelines["last"] - tiny_stats.pipelines["first"]) / 86_400_000.0
    assert math.isclose(figs["lifespan, mean (days)"], float(days.mean()), rel_tol=1e-12)
    assert math.isclose(figs["lifespan, max (days)"], float(days.max()), rel_tol=1e-12)


def test_model_types_and_push_counts_match_sql(
    tiny_analytics: Analytics, tiny_stats: CorpusStats, tiny_path: Path
) -> None:
    g = tiny_stats.graphlets.assign(model_type=lambda d: d["model_type"].fillna("unknown"))
    outcome = push_outcomes(tiny_path)
    g["outcome"] = g["trainer_id"].map(outcome)
    complete = g[g["state"] == 3]
    decided = g[g["outcome"].notna()]
    # like with like: store_stats' pushed (any Pusher reached pushed) is the walk's over COMPLETE trainers;
    # a COMPLETE trainer that reaches no Pusher (a distillation teacher: its Model feeds the student
    # Trainer; or one whose run stopped after it: a FAILED / CANCELED execution in its pipeline_run) is
    # undecided in the graph but unpushed in store_stats
    assert (decided["outcome"].astype(bool) == decided["pushed"].astype(bool)).all()
    assert set(decided.index) <= set(complete.index)
    undecided = complete[complete["outcome"].isna()]
    conn = sqlite3.connect(f"file:{tiny_path}?mode=ro", uri=True)
    stopped = {
        int(r[0])
        for r in conn.execute(
            "SELECT a.execution_id FROM Association a JOIN Context c ON c.id = a.context_id "
            "JOIN Type t ON t.id = c.type_id AND t.name = 'pipeline_run' WHERE a.context_id IN ("
            " SELECT a2.context_id FROM Association a2 JOIN Execution e ON e.id = a2.execution_id"
            " WHERE e.last_known_state IN (4, 6))"
        )
    }
    conn.close()
    teachers = undecided["code"].str.startswith("teacher_trainer@")
    assert teachers.sum() > 0
    assert undecided.loc[~teachers, "trainer_id"].isin(stopped).all()
    exp = pd.DataFrame(
        {
            "graphlets": g.groupby("model_type").size(),
            "decided": decided.groupby("model_type").size(),
            "pushed": complete.groupby("model_type")["pushed"].sum(),
        }
    ).fillna(0)
    got = tiny_analytics["model_types"].set_index("model_type")
    assert sorted(got.index) == sorted(exp.index)
    for t, e in exp.iterrows():
        r = got.loc[t]
        assert (int(r["graphlets"]), int(r["decided"]), int(r["pushed"])) == (
            int(e["graphlets"]),
            int(e["decided"]),
            int(e["pushed"]),
        ), t
        assert math.isclose(float(r["share"]), e["graphlets"] / len(g), rel_tol=1e-12)
        assert math.isclose(float(r["push_rate"]), e["pushed"] / e["decided"], rel_tol=1e-12)
    # most graphlets first; the tiny corpus has every outcome
    assert list(got["graphlets"]) == sorted(got["graphlets"], reverse=True)
    assert 0 < int(got["pushed"].sum()) < int(got["decided"].sum()) < int(got["graphlets"].sum())
    # per graphlet: the graph's push outcome is the SQL walk's, its trainer state the SQL one
    gl = tiny_analytics["graphlets"].assign(trainer_id=lambda d: d["uid"].map(mlmd_id)).set_index("trainer_id")
    assert sorted(gl.index) == sorted(g["trainer_id"])
    for tid, s in g.set_index("trainer_id").iterrows():
        assert gl.loc[tid, "pushed"] == s["outcome"] or (gl.loc[tid, "pushed"] is None and s["outcome"] is None), tid
        assert gl.loc[tid, "trainer_state"] == STATES[int(s["state"])], tid
    # the summary: unpushed share of decided graphlets, and the undecided ones
    figs = {f.statistic: f.ours for f in tiny_analytics.figures}
    n_pushed = int(decided["outcome"].astype(bool).sum())
    assert math.isclose(
        figs["unpushed graphlets (% of decided)"], 100.0 * (len(decided) - n_pushed) / len(decided), rel_tol=1e-12
    )
    # every undecided graphlet: not-COMPLETE trainers and distillation teachers
    assert figs["undecided graphlets (no push decision)"] == len(g) - len(decided)
    assert len(g) - len(decided) == len(teachers) + int((g["state"] != 3).sum())


def test_consecutive_pairs_jaccard_bins_and_code_match_sql(
    tiny_analytics: Analytics, tiny_stats: CorpusStats, tiny_path: Path
) -> None:
    g = ordered(tiny_stats.graphlets)
    same = g["pipeline"] == g["pipeline"].shift()
    prev = g.shift()
    exp = pd.DataFrame(
        {
            "pipeline": g["pipeline"],
            "previous": prev["trainer_id"],
            "trainer": g["trainer_id"],
            "hours": (g["created"] - prev["created"]) / 3_600_000.0,
            "jaccard": [jaccard(a, b) for a, b in zip(prev["spans"], g["spans"], strict=True)],
        }
    )[same].reset_index(drop=True)
    cons = tiny_analytics["consecutive"]
    assert len(cons) == len(exp) == len(g) - g["pipeline"].nunique()
    assert list(cons["pipeline"]) == list(exp["pipeline"])
    assert [mlmd_id(u) for u in cons["previous"]] == [int(x) for x in exp["previous"]]
    assert [mlmd_id(u) for u in cons["uid"]] == [int(x) for x in exp["trainer"]]
    np.testing.assert_allclose(cons["hours"].astype(float), exp["hours"].astype(float), rtol=1e-12)
    # Jaccard of the input span sets, pair by pair
    np.testing.assert_allclose(cons["jaccard"].astype(float), exp["jaccard"].astype(float), rtol=1e-12)
    assert exp["jaccard"].notna().all()

    # bins: same counts as pandas' binning of the SQL Jaccards, shares and means too
    bins = tiny_analytics["similarity_bins"]
    jac = bins[bins["measure"] == "jaccard"]
    assert list(jac["bin"]) == list(SIMILARITY_BINS)
    counts = bin_counts(exp["jaccard"])
    assert list(jac["pairs"]) == counts and sum(counts) == len(exp)
    np.testing.assert_allclose(jac["share"], np.array(counts) / len(exp), rtol=1e-12)
    assert math.isclose(float(jac["mean"].iloc[0]), float(exp["jaccard"].mean()), rel_tol=1e-12)
    assert len(set(counts) - {0}) >= 2  # tiny has both rolling windows and fresh spans

    # code changed: the trainers' code (code_version, else module_path) from SQL, pair by pair
    code = sql(
        tiny_path,
        "SELECT execution_id AS trainer_id, name, string_value FROM ExecutionProperty "
        "WHERE name IN ('code_version', 'module_path')",
    ).pivot_table(index="trainer_id", columns="name", values="string_value", aggfunc="first")
    version = code["code_version"].combine_first(code["module_path"])
    changed = [int(version[int(p)] != version[int(t)]) for p, t in zip(exp["previous"], exp["trainer"], strict=True)]
    assert list(cons["code_changed"].astype(int)) == changed
    # the share with unchanged code equals store_stats' (its `code` is the trainer's module_path)
    pairs_same = (g["code"] == prev["code"]) & g["code"].notna()
    unchanged = float(pairs_same[same].mean())
    assert math.isclose(float((cons["code_changed"] == 0).mean()), unchanged, rel_tol=1e-12)
    figs = {f.statistic: f.ours for f in tiny_analytics.figures}
    assert math.isclose(figs["code unchanged (%)"], 100.0 * unchanged, rel_tol=1e-12)
    assert 0.0 < unchanged < 1.0


def test_push_gaps_match_pandas(tiny_analytics: Analytics, tiny_stats: CorpusStats) -> None:
    g = ordered(tiny_stats.graphlets)
    # pushes in trainer order; a trainer that is not COMPLETE never pushed (SQL pushed = 0 and graph null)
    rows = []
    for pipeline, grp in g.groupby("pipeline", sort=True):
        idx = np.flatnonzero(grp["pushed"].to_numpy() == 1)
        for a, b in itertools.pairwise(idx):
            rows.append(
                (
                    pipeline,
                    int(grp["trainer_id"].iloc[a]),
                    int(grp["trainer_id"].iloc[b]),
                    int(b - a - 1),
                    (int(grp["created"].iloc[b]) - int(grp["created"].iloc[a])) / 3_600_000.0,
                )
            )
    gaps = tiny_analytics["push_gaps"]
    got = [
        (r.pipeline, mlmd_id(r.previous_push), mlmd_id(r.push), int(r.unpushed_between), float(r.hours))
        for r in gaps.itertuples()
    ]
    assert [r[:4] for r in got] == [r[:4] for r in rows]
    np.testing.assert_allclose([r[4] for r in got], [r[4] for r in rows], rtol=1e-12)
    assert any(r[3] > 0 for r in rows) and len(rows) >= 5
    figs = {f.statistic: f.ours for f in tiny_analytics.figures}
    mean_between = float(np.mean([r[3] for r in rows]))
    assert math.isclose(figs["unpushed graphlets between consecutive pushes, mean"], mean_between, rel_tol=1e-12)


def test_operator_usage_matches_sql(tiny_analytics: Analytics, tiny_path: Path) -> None:
    ops = tiny_analytics["operator_usage"]
    check_operator_rows(ops, tiny_path)
    # tiny records CPU seconds on most executions: the recorded figure, not the wall time, is the cost
    ex = executions_sql(tiny_path)
    assert ops["kind"].is_unique and {"Trainer", "Pusher", "ExampleGen"} <= set(ops["kind"])
    recorded = sql(
        tiny_path, "SELECT COUNT(DISTINCT execution_id) AS n FROM ExecutionProperty WHERE name = 'cpu_seconds'"
    )
    assert int(recorded["n"].iloc[0]) > len(ex) // 2


def test_graphlet_trainer_costs_and_waste_totals(tiny_analytics: Analytics, tiny_path: Path) -> None:
    """trainer_cost == the trainer execution's cost from SQL; waste counts == the SQL push outcomes; costs add up."""
    ex = executions_sql(tiny_path).set_index("id")
    gl = tiny_analytics["graphlets"]
    for r in gl.itertuples():
        tid = mlmd_id(r.uid)
        assert math.isclose(float(r.trainer_cost), float(ex.loc[tid, "cost"]), rel_tol=1e-12), r.uid
        assert r.trainer_state == STATES[int(ex.loc[tid, "state"])]
        assert r.started <= int(ex.loc[tid, "created"]) and r.hours >= 0
    # each execution's cost is shared among the graphlets holding it: no graphlet holds more than the
    # corpus, the graphlets together hold at least every trainer and at most every execution
    assert float(gl["cost"].sum()) <= float(ex["cost"].sum()) * (1 + 1e-12)
    assert float(gl["cost"].sum()) >= float(gl["trainer_cost"].sum()) * (1 - 1e-12)
    w = tiny_analytics["waste"].iloc[0]
    pushed = gl["pushed"].map(lambda v: v is True)
    unpushed = gl["pushed"].map(lambda v: v is False)
    assert (int(w["graphlets"]), int(w["pushed"]), int(w["unpushed"]), int(w["undecided"])) == (
        len(gl),
        int(pushed.sum()),
        int(unpushed.sum()),
        int((~pushed & ~unpushed).sum()),
    )
    outcome = push_outcomes(tiny_path)
    assert int(w["pushed"]) == sum(v is True for v in outcome.values()) > 0
    assert int(w["unpushed"]) == sum(v is False for v in outcome.values()) > 0
    assert int(w["undecided"]) == sum(v is None for v in outcome.values()) > 0
    assert math.isclose(w["pushed_cost"] + w["unpushed_cost"] + w["undecided_cost"], w["cost"], rel_tol=1e-9)
    assert math.isclose(float(w["cost"]), float(gl["cost"].sum()), rel_tol=1e-9)
    assert math.isclose(float(w["pushed_cost"]), float(gl.loc[pushed, "cost"].sum()), rel_tol=1e-9)
    assert math.isclose(float(w["unpushed_cost"]), float(gl.loc[unpushed, "cost"].sum()), rel_tol=1e-9)
    assert math.isclose(
        float(w["waste_share"]), float(w["unpushed_cost"]) / float(w["pushed_cost"] + w["unpushed_cost"]), rel_tol=1e-12
    )


def test_waste_of_stored_decisions_matches_pandas(tiny: Warehouse) -> None:
    """With decisions written back (every other graphlet skipped), waste_removed and freshness are the
    shares pandas computes from the same graphlet rows."""
    uids = sorted(r["uid"] for r in tiny.read("analytics/graphlets", store=None))
    rows = [
        {
            "uid": u,
            "push_probability": 0.9 if i % 2 else 0.1,
            "push_decision": bool(i % 2),
            "model_version": "test",
            "contributions": "[]",
        }
        for i, u in enumerate(uids)
    ]
    tiny.write("predict/write", rows=rows)
    gl = pd.DataFrame.from_records(tiny.read("analytics/graphlets", store=None))
    w = tiny.read("analytics/waste", store=None)[0]
    decided = gl[gl["pushed"].notna()]
    unpushed = decided[decided["pushed"] == False]  # noqa: E712 (object column of True/False)
    pushed = decided[decided["pushed"] == True]  # noqa: E712
    assert w["predicted"] == len(decided)
    skipped = float(unpushed.loc[unpushed["push_decision"] == False, "cost"].sum())  # noqa: E712
    assert math.isclose(w["waste_removed"], skipped / float(unpushed["cost"].sum()), rel_tol=1e-9)
    assert math.isclose(w["freshness"], float((pushed["push_decision"] == True).mean()), rel_tol=1e-12)  # noqa: E712
    assert 0.0 < w["waste_removed"] < 1.0 and 0.0 < w["freshness"] < 1.0


def test_next_links_carry_the_frames_lag1_history_and_features_rewrites_nothing(tiny: Warehouse) -> None:
    frame = build_frame(tiny).data.set_index("uid")
    cons = run_analytics(tiny)["consecutive"].set_index("uid")
    has_previous = frame[frame["jaccard_1"].notna() | frame.index.isin(cons.index)]
    assert sorted(cons.index) == sorted(has_previous.index)
    for col, frame_col in (
        ("dataset_similarity", "dataset_similarity_1"),
        ("jaccard", "jaccard_1"),
        ("code_changed", "code_changed_1"),
    ):
        got = cons[col].astype(float)
        want = frame.loc[cons.index, frame_col].astype(float)
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, equal_nan=True, err_msg=col)
    assert cons["dataset_similarity"].notna().sum() > len(cons) // 2
    # dataset-similarity bins: pandas binning of the frame's values
    bins = run_analytics(tiny)["similarity_bins"]
    ds = bins[bins["measure"] == "dataset_similarity"]
    assert list(ds["pairs"]) == bin_counts(frame.loc[cons.index, "dataset_similarity_1"])

    # clear the similarities on every :NEXT link behind mlprov's back: `mlprov features` writes only the links of
    # pipelines whose graphlets changed since it last ran (none), `--no-cache` computes and writes every one back
    cleared = tiny.write(
        "features/next_similarity",
        rows=[{"uid": u, "jaccard": None, "dataset_similarity": None, "code_changed": None} for u in cons.index],
    )
    assert int(cleared[0]["changed"]) == len(cons)
    links = tiny.read("analytics/consecutive", store=None)
    assert len(links) == len(cons)
    assert all(r[k] is None for r in links for k in ("jaccard", "dataset_similarity", "code_changed"))
    unchanged = run_cli("features")
    assert unchanged.returncode == 0, unchanged.stderr
    assert "links: 0 written" in unchanged.stderr
    first = run_cli("features", "--no-cache")
    assert first.returncode == 0, first.stderr
    assert f"{len(cons):,} written" in first.stderr
    second = run_cli("features")
    assert second.returncode == 0, second.stderr
    assert "0 written" in second.stderr and f"{len(cons):,} written" not in second.stderr
    again = run_analytics(tiny)["consecutive"].set_index("uid")
    pd.testing.assert_frame_equal(
        again[["jaccard", "dataset_similarity", "code_changed"]],
        cons[["jaccard", "dataset_similarity", "code_changed"]],
    )


def test_report_before_features_notes_the_missing_similarities(tiny: Warehouse, tmp_path: Path) -> None:
    uids = [r["uid"] for r in tiny.read("analytics/consecutive", store=None)]
    tiny.write(
        "features/next_similarity",
        rows=[{"uid": u, "jaccard": None, "dataset_similarity": None, "code_changed": None} for u in uids],
    )
    proc = run_cli("report", "--out", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "run `mlprov features` first" in proc.stderr


def test_report_command_writes_every_file(tiny: Warehouse, tiny_path: Path, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "report"
    proc = run_cli("report", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "beside the study" in proc.stdout
    for name in ("report.md", "report.html", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) >= 8
    for png in pngs:
        with Image.open(png) as im:
            im.verify()
            assert im.format == "PNG" and im.size[0] > 100 and im.size[1] > 100
    summary = json.loads((out / "summary.json").read_text())
    figs = {f["statistic"]: f["ours"] for f in summary["figures"]}
    assert figs["pipelines"] == pipeline_contexts(tiny_path) == 6
    assert figs["model graphlets"] == len(store_stats(tiny_path).graphlets)
    assert set(summary["queries"]) >= {"pipeline_lifespan", "operator_usage", "waste"}
    md = (out / "report.md").read_text()
    for png in pngs:
        assert f"]({png.name})" in md
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(pngs)


# -- a real fixture store -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the redwine fixture (48 Trainers, 41 Pushers, 9 pipelines) and a second small store."""
    out = tmp_path_factory.mktemp("real_stores")
    paths = {}
    for name in (REDWINE, DRUG):
        paths[name] = out / f"{name}.sqlite"
        shutil.copyfile(FIXTURES / f"{name}.sqlite", paths[name])
    return paths


@pytest.fixture
def real(_session_warehouse: Warehouse, real_paths: dict[str, Path]) -> Warehouse:
    """The warehouse holding both real stores, graphlets built and features computed (once per module)."""
    wh = _session_warehouse
    if {r["name"] for r in wh.read("load/stores")} != set(real_paths):
        wh.run_batched("admin/clear_graph")
        loader = Loader(wh)
        for path in real_paths.values():
            loader.load(str(path))
        build_graphlets(wh)
        write_next_similarity(wh, build_frame(wh).data)
    return wh


def test_real_store_lifespan_and_operator_usage_match_sql(real: Warehouse, real_paths: dict[str, Path]) -> None:
    path = real_paths[REDWINE]
    # the queries are read directly: run_analytics cannot summarise a store without dataset statistics
    # (see test_report_on_a_real_store_without_dataset_statistics)
    life = pd.DataFrame.from_records(real.read("analytics/pipeline_lifespan", store=REDWINE))
    assert set(life["store"]) == {REDWINE} and len(life) >= 5
    stats = store_stats(path)
    check_lifespan_rows(life, path, stats)
    ops = pd.DataFrame.from_records(real.read("analytics/operator_usage", store=REDWINE))
    check_operator_rows(ops, path)
    # redwine records no CPU figure: every cost is wall time, and RUNNING / CACHED rows are in it
    assert (
        sql(
            path,
            "SELECT COUNT(*) AS n FROM ExecutionProperty WHERE name IN ('cpu_seconds', 'cpu_cost', 'cpu_time', 'cost')",
        )["n"].iloc[0]
        == 0
    )
    assert {"Tuner", "Pusher", "Custom"} <= set(ops["kind"])
    # push outcomes: the graph's are the SQL walk's; pushed ones agree with store_stats over COMPLETE trainers
    gl = pd.DataFrame.from_records(real.read("analytics/graphlets", store=REDWINE))
    outcome = push_outcomes(path)
    assert {mlmd_id(u): p for u, p in zip(gl["uid"], gl["pushed"], strict=True)} == outcome
    st = stats.graphlets
    pushed = {t for t, v in outcome.items() if v is True}
    sql_pushed = set(st.loc[(st["state"] == 3) & (st["pushed"] == 1), "trainer_id"])
    # trainer 204 reaches only Pushers that never finished (RUNNING) and left unflagged PushedModels:
    # neither side counts that as a push
    assert len(pushed) == 3 and pushed == sql_pushed
    models = pd.DataFrame.from_records(real.read("analytics/model_types", store=REDWINE))
    assert int(models["graphlets"].sum()) == len(st) and int(models["decided"].sum()) == sum(
        v is not None for v in outcome.values()
    )
    # every store: both stores' pipelines, each row as in its own file
    both = pd.DataFrame.from_records(real.read("analytics/pipeline_lifespan", store=None))
    assert sorted(set(both["store"])) == sorted(real_paths)
    drug = both[both["store"] == DRUG]
    check_lifespan_rows(drug, real_paths[DRUG], store_stats(real_paths[DRUG]))
    assert len(both) == len(life) + len(drug)


def test_report_on_a_real_store_without_dataset_statistics(real: Warehouse, tmp_path: Path) -> None:
    proc = run_cli("report", "--store", REDWINE, "--out", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "r" / "report.html").exists()


def test_report_on_an_empty_warehouse_fails_with_one_line(warehouse: Warehouse, tmp_path: Path) -> None:
    proc = run_cli("report", "--out", str(tmp_path / "r"))
    assert proc.returncode != 0
    # besides the usual "Neo4j: <connection>" line, one error line naming the problem and the fix
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "no model graphlets" in errors[0] and "mlprov graphlets" in errors[0]
    assert proc.stdout == ""
    assert not (tmp_path / "r" / "report.md").exists()


def test_similarity_by_push_matches_pandas(tiny: Warehouse, tiny_stats: CorpusStats, tiny_path: Path) -> None:
    # the later graphlet of each consecutive pair, with its SQL push outcome; Jaccard and code from SQL
    g = ordered(tiny_stats.graphlets)
    same = g["pipeline"] == g["pipeline"].shift()
    prev = g.shift()
    outcome = push_outcomes(tiny_path)
    pairs = pd.DataFrame(
        {
            "trainer": g["trainer_id"],
            "pushed": [outcome[int(t)] for t in g["trainer_id"]],
            "jaccard": [jaccard(a, b) for a, b in zip(prev["spans"], g["spans"], strict=True)],
            "code_same": (g["code"] == prev["code"]) & g["code"].notna(),
        }
    )[same]
    pairs = pairs[pairs["pushed"].notna()]
    # dataset similarity: the frame's lag-1 column (Python over the recorded statistics)
    frame = build_frame(tiny).data.assign(trainer=lambda d: d["uid"].map(mlmd_id)).set_index("trainer")
    pairs["dataset_similarity"] = [frame.loc[int(t), "dataset_similarity_1"] for t in pairs["trainer"]]
    got = pd.DataFrame.from_records(tiny.read("analytics/similarity_by_push", store=None)).set_index("pushed")
    assert sorted(got.index) == [False, True]
    for pushed, part in pairs.groupby("pushed"):
        row = got.loc[bool(pushed)]
        assert int(row["pairs"]) == len(part), pushed
        assert math.isclose(float(row["mean_jaccard"]), float(part["jaccard"].mean()), rel_tol=1e-12), pushed
        ds = part["dataset_similarity"].dropna()
        assert math.isclose(float(row["mean_dataset_similarity"]), float(ds.mean()), rel_tol=1e-9), pushed
        assert math.isclose(float(row["code_match"]), float(part["code_same"].mean()), rel_tol=1e-12), pushed
