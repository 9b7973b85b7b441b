"""Every figure of the study's list (shared/study/figures.md) in the corpus report: each id has our value
beside the study's or a reason it has none, and the analyses added for them (``cypher/analytics/``
corpus, pipeline_traces, stage_compute, pipeline_similarity and the summary rows built on them) against
an independent computation: SQL over the generated `tiny` corpus's MLMD tables, pandas over
``generator.check.store_stats`` and the feature frame's lag-1 columns.
"""

# ruff: noqa: F811 (the tiny fixtures are imported from test_analytics)
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlprov.analysis.corpus import OMITTED, SIMILARITY_BINS, STUDY_FIGURES, Analytics, omitted
from mlprov.analysis.report import write_report
from mlprov.db import Warehouse
from mlprov.features.frame import build_frame
from mlprov.generator.check import CorpusStats
from tests.test_analytics import (  # noqa: F401 (fixtures)
    executions_sql,
    mlmd_id,
    ordered,
    pipeline_contexts,
    push_outcomes,
    sql,
    tiny,
    tiny_analytics,
    tiny_path,
    tiny_stats,
)

FIGURES_MD = Path(__file__).resolve().parents[2] / "shared" / "study" / "figures.md"
# The study's six operator groups as figures.md assumes them (Tuner with training)
STUDY_GROUPS = {
    "ExampleGen": "ingest",
    "StatisticsGen": "data-validation",
    "SchemaGen": "data-validation",
    "ExampleValidator": "data-validation",
    "Transform": "preprocessing",
    "Trainer": "training",
    "Tuner": "training",
    "Evaluator": "model-validation",
    "ModelValidator": "model-validation",
    "InfraValidator": "model-validation",
    "Pusher": "deployment",
}


def figure_ids() -> list[str]:
    """The ids of every figure table of figures.md (tables whose header starts with `| id |`)."""
    ids: list[str] = []
    in_table = False
    for line in FIGURES_MD.read_text().splitlines():
        if line.startswith("| id |"):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        m = re.match(r"^\| ([a-z][a-z0-9_]+) \|", line)
        if in_table and m:
            ids.append(m.group(1))
    return ids


def figs(a: Analytics) -> dict[str, float | None]:
    return {f.statistic: f.ours for f in a.figures}


def test_every_figure_of_the_study_list_has_a_value_or_a_reason(tiny_analytics: Analytics, tmp_path: Path) -> None:
    if not FIGURES_MD.exists():
        pytest.skip(f"{FIGURES_MD} not present")
    ids = figure_ids()
    assert len(ids) == len(set(ids)) == 104
    assert set(STUDY_FIGURES).isdisjoint(OMITTED)
    assert set(STUDY_FIGURES) | set(OMITTED) == set(ids)
    # on tiny: a figure row for each id the warehouse computes, the rest listed with their reason
    keys = {k for f in tiny_analytics.figures if f.key for k in f.key.split(",")}
    assert keys <= set(STUDY_FIGURES)
    listed = dict(omitted(tiny_analytics))
    shown = {k for f in tiny_analytics.figures if f.formatted() != "-" for k in f.key.split(",") if k}
    assert set(listed) | shown == set(ids)
    assert all(listed[k] == OMITTED[k] for k in OMITTED)
    # tiny has no Linear pipeline, so only that class of Fig. 3(d) is absent; every other STUDY_FIGURES figure is shown
    assert set(listed) - set(OMITTED) == set()
    # the study's value is beside ours (split over the rows of an 'a / b / c' figure)
    by_key = {}
    for f in tiny_analytics.figures:
        by_key.setdefault(f.key, []).append(f.study)
    assert by_key["jaccard_bins"] == ["30.2", "8.2", "4.4", "57.3"]
    assert by_key["table2_input_sim"] == ["0.109", "0.099", "0.101"]
    assert by_key["lifespan_mean"] == ["36"]
    # the report shows both tables: every id appears in report.md, and summary.json carries the reasons
    paths = write_report(tiny_analytics, tmp_path / "r")
    md = paths["md"].read_text()
    for k in ids:
        assert k in md, k
    assert "Figures of the study without a value here" in md
    summary = pd.read_json(paths["json"], typ="series")
    assert {o["figure"] for o in summary["omitted"]} == set(listed)


def test_corpus_and_pipeline_traces_match_sql(
    tiny_analytics: Analytics, tiny_path: Path, tiny_stats: CorpusStats
) -> None:
    ex = executions_sql(tiny_path)
    art = sql(
        tiny_path,
        "SELECT a.id, a.create_time_since_epoch AS created, t.name AS type FROM Artifact a "
        "JOIN Type t ON t.id = a.type_id",
    )
    ev = sql(tiny_path, "SELECT artifact_id, execution_id, type FROM Event")
    c = tiny_analytics["corpus"].iloc[0]
    assert (int(c["pipelines"]), int(c["executions"]), int(c["artifacts"])) == (
        pipeline_contexts(tiny_path),
        len(ex),
        len(art),
    )
    first = min(int(ex["created"].min()), int(art["created"].min()))
    last = max(int(ex["updated"].fillna(ex["created"]).max()), int(art["created"].max()))
    assert (int(c["first"]), int(c["last"])) == (first, last)
    assert math.isclose(float(c["period_days"]), (last - first) / 86_400_000.0, rel_tol=1e-12)

    traces = tiny_analytics["pipeline_traces"].set_index("pipeline")
    assert sorted(traces.index) == sorted(tiny_stats.pipelines["pipeline"])
    outcome = push_outcomes(tiny_path)
    g = tiny_stats.graphlets.assign(
        model_type=lambda d: d["model_type"].fillna("unknown"), outcome=lambda d: d["trainer_id"].map(outcome)
    )
    # warm start as figures.md defines it: a Trainer reads a Model another Trainer wrote
    trainers = set(ex.loc[ex["kind"] == "Trainer", "id"])
    models = set(art.loc[art["type"].str.endswith("Model") & ~art["type"].str.contains("Pushed"), "id"])
    outs = ev[(ev["type"] == 4) & ev["execution_id"].isin(trainers) & ev["artifact_id"].isin(models)]
    ins = ev[(ev["type"] == 3) & ev["execution_id"].isin(trainers)]
    chained = ins.merge(outs, on="artifact_id", suffixes=("", "_producer"))
    chained = chained[chained["execution_id"] != chained["execution_id_producer"]]
    warm_pipes = set(ex.set_index("id").loc[chained["execution_id"].unique(), "pipeline"])
    for pipeline, t in traces.iterrows():
        mine = ex[ex["pipeline"] == pipeline]
        touched = ev[ev["execution_id"].isin(mine["id"]) & ev["type"].isin([3, 4])]["artifact_id"].nunique()
        assert (int(t["executions"]), int(t["artifacts"])) == (len(mine), touched), pipeline
        assert int(t["nodes"]) == len(mine) + touched
        assert math.isclose(float(t["cost"]), float(mine["cost"].sum()), rel_tol=1e-9), pipeline
        pre = mine.loc[mine["category"] == "pre-trainer", "cost"].sum()
        assert math.isclose(float(t["pre_trainer_cost"]), float(pre), rel_tol=1e-9, abs_tol=1e-9), pipeline
        mg = g[g["pipeline"] == pipeline]
        assert int(t["graphlets"]) == len(mg)
        assert int(t["decided"]) == int(mg["outcome"].notna().sum())
        assert int(t["pushed"]) == int((mg["outcome"] == True).sum())  # noqa: E712
        counts = mg["model_type"].value_counts()
        top = sorted(counts[counts == counts.max()].index)[0]
        assert t["model_type"] == top, pipeline
        assert bool(t["warm_start"]) == (pipeline in warm_pipes), pipeline
    assert 0 < len(warm_pipes) < len(traces)  # tiny's distillation pipeline chains a teacher's Model
    f = figs(tiny_analytics)
    assert f["largest trace (execution + artifact nodes)"] == float(traces["nodes"].max())
    assert f["execution nodes"] == len(ex) and f["artifact nodes"] == len(art)
    warm_graphlets = g[g["pipeline"].isin(warm_pipes)]
    assert math.isclose(f["graphlets in warm-starting pipelines (%)"], 100.0 * len(warm_graphlets) / len(g))
    cold = g[~g["pipeline"].isin(warm_pipes)]
    assert f["non-warm-start pipelines"] == len(traces) - len(warm_pipes)
    assert f["graphlets of non-warm-start pipelines"] == len(cold)
    cold_decided = cold[cold["outcome"].notna()]
    assert math.isclose(
        f["pushed graphlets, non-warm-start (% of decided)"], 100.0 * cold_decided["outcome"].astype(bool).mean()
    )
    dnn_pipes = [p for p, t in traces.iterrows() if t["model_type"] != "DNN"]
    assert math.isclose(f["non-DNN pipelines (%)"], 100.0 * len(dnn_pipes) / len(traces))


def test_unpushed_late_cost_is_the_trainer_and_post_trainer_cost_of_unpushed_graphlets(
    tiny_analytics: Analytics, tiny_path: Path
) -> None:
    """The waste bound's numerator: per pipeline, the distinct Trainer and post-trainer executions of its
    unpushed graphlets — the unpushed trainer and what runs downstream of it up to the next Trainer
    (a recursive SQL walk over events, CACHED executions left out as in the graph)."""
    ex = executions_sql(tiny_path).set_index("id")
    walk = sql(
        tiny_path,
        """
        WITH RECURSIVE down(root, eid) AS (
          SELECT x.id, x.id FROM Execution x JOIN Type t ON t.id = x.type_id
          WHERE t.name LIKE '%Trainer%' AND COALESCE(x.last_known_state, 0) <> 5
          UNION
          SELECT d.root, i.execution_id FROM down d
          JOIN Event o ON o.execution_id = d.eid AND o.type = 4
          JOIN Event i ON i.artifact_id = o.artifact_id AND i.type = 3
          JOIN Execution y ON y.id = i.execution_id JOIN Type ty ON ty.id = y.type_id
          WHERE COALESCE(y.last_known_state, 0) <> 5 AND ty.name NOT LIKE '%Trainer%')
        SELECT root, eid FROM down
        """,
    )
    outcome = push_outcomes(tiny_path)
    walk = walk[walk["root"].map(lambda r: outcome.get(int(r)) is False)]
    walk = walk[walk["eid"].map(lambda e: ex.loc[int(e), "category"] in ("trainer", "post-trainer"))]
    walk["pipeline"] = walk["root"].map(lambda r: ex.loc[int(r), "pipeline"])
    late = walk.drop_duplicates(["pipeline", "eid"])
    late = late.assign(cost=late["eid"].map(lambda e: float(ex.loc[int(e), "cost"])))
    expected = late.groupby("pipeline")["cost"].sum()
    traces = tiny_analytics["pipeline_traces"].set_index("pipeline")
    for pipeline, t in traces.iterrows():
        assert math.isclose(
            float(t["unpushed_late_cost"]), float(expected.get(pipeline, 0.0)), rel_tol=1e-9, abs_tol=1e-9
        ), pipeline
    assert float(traces["unpushed_late_cost"].sum()) > 0
    cold = traces[~traces["warm_start"].astype(bool)]
    assert math.isclose(
        figs(tiny_analytics)["trainer + post-trainer compute of unpushed graphlets, non-warm-start (%)"],
        100.0 * float(cold["unpushed_late_cost"].sum()) / float(cold["cost"].sum()),
    )


def test_stage_compute_matches_sql_grouped_by_the_study_stages(tiny_analytics: Analytics, tiny_path: Path) -> None:
    ex = executions_sql(tiny_path)
    ex["group"] = ex["kind"].map(STUDY_GROUPS).fillna("other")
    total = float(ex["cost"].sum())
    n_pipes = pipeline_contexts(tiny_path)
    exp = ex.groupby("group").agg(executions=("id", "size"), cost=("cost", "sum"), pipelines=("pipeline", "nunique"))
    got = tiny_analytics["stage_compute"].set_index("stage")
    assert sorted(got.index) == sorted(exp.index)
    assert {"ingest", "data-validation", "training", "model-validation", "deployment"} <= set(got.index)
    for stage, e in exp.iterrows():
        r = got.loc[stage]
        assert int(r["executions"]) == int(e["executions"]) and int(r["pipelines"]) == int(e["pipelines"]), stage
        assert math.isclose(float(r["cost_share"]), float(e["cost"]) / total, rel_tol=1e-9), stage
        assert math.isclose(float(r["pipeline_share"]), int(e["pipelines"]) / n_pipes, rel_tol=1e-12), stage
    assert list(got["cost"]) == sorted(got["cost"], reverse=True)
    f = figs(tiny_analytics)
    share = exp["cost"] / total
    assert math.isclose(f["training share of compute (%)"], 100.0 * share["training"], rel_tol=1e-9)
    assert math.isclose(f["ingestion share of compute (%)"], 100.0 * share["ingest"], rel_tol=1e-9)
    assert math.isclose(
        f["data + model analysis/validation share of compute (%)"],
        100.0 * (share["data-validation"] + share["model-validation"]),
        rel_tol=1e-9,
    )
    cat = ex.groupby("category")["cost"].sum()
    assert math.isclose(
        f["post-trainer vs pre-trainer compute (%)"], 100.0 * cat["post-trainer"] / cat["pre-trainer"], rel_tol=1e-9
    )


def test_per_pipeline_similarity_and_table2_match_the_frame(tiny: Warehouse, tiny_analytics: Analytics) -> None:
    frame = build_frame(tiny).data
    cons = tiny_analytics["consecutive"]
    links = frame[frame["uid"].isin(cons["uid"])]
    assert len(links) == len(cons)
    exp = links.groupby("pipeline").agg(
        pairs=("uid", "size"), ds=("dataset_similarity_1", "mean"), jac=("jaccard_1", "mean")
    )
    got = tiny_analytics["pipeline_similarity"].set_index("pipeline")
    assert sorted(got.index) == sorted(exp.index)
    for p, e in exp.iterrows():
        assert int(got.loc[p, "pairs"]) == int(e["pairs"])
        np.testing.assert_allclose(float(got.loc[p, "mean_dataset_similarity"]), e["ds"], rtol=1e-9)
        np.testing.assert_allclose(float(got.loc[p, "mean_jaccard"]), e["jac"], rtol=1e-9)
    f = figs(tiny_analytics)
    avg = exp["ds"].dropna()
    assert math.isclose(f["per-pipeline dataset similarity, mean"], float(avg.mean()), rel_tol=1e-9)
    cut = pd.cut(avg, [0.0, 0.25, 0.5, 0.75, 1.0], include_lowest=True).value_counts(sort=False)
    for b, n in zip(SIMILARITY_BINS, cut.to_numpy(), strict=True):
        assert math.isclose(f[f"per-pipeline dataset similarity in {b} (%)"], 100.0 * n / len(avg)), b
    # Table 2: the 'all' column over every consecutive pair, pushed / unpushed by the later graphlet's outcome
    assert math.isclose(
        f["dataset similarity to previous, mean (all)"], float(links["dataset_similarity_1"].mean()), rel_tol=1e-9
    )
    assert math.isclose(
        f["code unchanged vs previous, share (all)"], float((links["code_changed_1"] == 0).mean()), rel_tol=1e-12
    )
    for label, value in (("pushed", 1.0), ("unpushed", 0.0)):
        part = links[links["pushed"] == value]
        assert math.isclose(
            f[f"dataset similarity to previous, mean ({label})"],
            float(part["dataset_similarity_1"].mean()),
            rel_tol=1e-9,
        )
        assert math.isclose(
            f[f"code unchanged vs previous, share ({label})"],
            float((part["code_changed_1"] == 0).mean()),
            rel_tol=1e-12,
        )


def test_cadence_figures_match_pandas(tiny_analytics: Analytics, tiny_stats: CorpusStats) -> None:
    """Fig. 9(a)/(b): per-pipeline mean gap between pushes minus between all consecutive graphlets, and the
    share of consecutive gaps below the median push gap, from the SQL trainer times."""
    g = ordered(tiny_stats.graphlets)
    all_gaps, push_gaps = [], []
    for _, grp in g.groupby("pipeline", sort=True):
        t = grp["created"].to_numpy(dtype=float) / 3_600_000.0
        all_gaps.append(np.diff(t))
        pushed = t[grp["pushed"].to_numpy() == 1]
        push_gaps.append(np.diff(pushed))
    every = np.concatenate(all_gaps)
    pushes = np.concatenate(push_gaps)
    shift = np.mean([p.mean() for p in push_gaps if len(p)]) - np.mean([a.mean() for a in all_gaps if len(a)])
    f = figs(tiny_analytics)
    assert math.isclose(f["per-pipeline mean gap, pushes minus all graphlets (hours)"], float(shift), rel_tol=1e-9)
    assert math.isclose(f["hours between consecutive pushes, mean"], float(pushes.mean()), rel_tol=1e-9)
    assert math.isclose(f["hours between consecutive graphlets, mean"], float(every.mean()), rel_tol=1e-9)
    below = 100.0 * float((every < np.median(pushes)).mean())
    assert math.isclose(f["consecutive-graphlet gaps below the median push gap (%)"], below, rel_tol=1e-12)
    assert 0.0 < below < 100.0 and shift > 0


def test_model_type_push_likelihood_and_trainer_time(
    tiny_analytics: Analytics, tiny_stats: CorpusStats, tiny_path: Path
) -> None:
    outcome = push_outcomes(tiny_path)
    g = tiny_stats.graphlets.assign(outcome=lambda d: d["trainer_id"].map(outcome))
    decided = g[g["outcome"].notna()]
    rates = decided.groupby(decided["model_type"].fillna("unknown"))["outcome"].apply(lambda s: s.astype(bool).mean())
    f = figs(tiny_analytics)
    assert math.isclose(f["push rate of the most pushed model type"], float(rates.max()), rel_tol=1e-12)
    assert rates.nunique() > 1
    ex = executions_sql(tiny_path).set_index("id")
    hours = [(ex.loc[t, "updated"] - ex.loc[t, "created"]) / 3_600_000.0 for t in g["trainer_id"]]
    assert math.isclose(f["trainer run time, mean (hours)"], float(np.mean(hours)), rel_tol=1e-9)
    gl = tiny_analytics["graphlets"]
    assert {mlmd_id(u) for u in gl["uid"]} == set(g["trainer_id"])
