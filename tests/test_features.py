"""The feature frame (docs/predictor.md) against a real Neo4j: a hand-built trace with hand-computed Jaccard
and dataset similarity, and the generated `tiny` corpus (missing history is NaN, caching, columns)."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mlprov.db import Warehouse
from mlprov.features.frame import (
    build_frame,
    compute_frame,
    dataset_similarity,
    feature_cost,
    feature_similarity,
    span_similarity,
)
from mlprov.features.registry import MAIN_SETS, SETS, markdown_table
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from tests.mlmd_builder import MlmdBuilder

TINY_STORE = "mlmd-000"


# -- the tiny generated corpus, loaded once per module (reloaded if another test emptied the graph) --


def ensure_tiny(wh: Warehouse, corpus: Path) -> None:
    stores = {r["name"]: r for r in wh.read("load/stores")}
    if set(stores) == {TINY_STORE} and wh.read("graphlets/summary", store=TINY_STORE, pipeline=None)[0]["graphlets"]:
        return
    wh.run_batched("admin/clear_graph")
    Loader(wh).load(str(corpus / "stores" / f"{TINY_STORE}.sqlite"))
    build_graphlets(wh)


@pytest.fixture
def tiny(_session_warehouse: Warehouse, tiny_dir: Path) -> Iterator[Warehouse]:
    ensure_tiny(_session_warehouse, tiny_dir)
    yield _session_warehouse


def test_first_graphlet_of_each_pipeline_has_nan_history_not_zero(tiny: Warehouse) -> None:
    ff = build_frame(tiny, k=3, use_cache=False)
    d = ff.data
    assert len(d) == tiny.read("graphlets/summary", store=TINY_STORE, pipeline=None)[0]["graphlets"]
    firsts = d.groupby("pipeline", sort=False).head(1)
    assert len(firsts) == d["pipeline"].nunique() >= 5
    hist = [c for c in ff.columns("history")]
    assert firsts[hist].isna().all().all()
    # the second graphlet has lag-1 history but not lag 2 or 3
    seconds = d.groupby("pipeline", sort=False).nth(1)
    assert seconds["jaccard_1"].notna().all()
    assert seconds[["jaccard_2", "jaccard_3", "code_changed_2", "dataset_similarity_3"]].isna().all().all()
    # where history exists it is a real value: code change 0/1, similarities in [0, 1]
    later = d.groupby("pipeline", sort=False).nth(slice(3, None))
    assert set(later["code_changed_3"].dropna().unique()) <= {0.0, 1.0}
    assert later["jaccard_3"].between(0, 1).all()
    sims = later["dataset_similarity_1"].dropna()
    assert len(sims) > 0 and sims.between(0, 1).all()


def test_frame_columns_sets_and_costs(tiny: Warehouse) -> None:
    ff = build_frame(tiny, k=3, use_cache=False)
    d = ff.data
    assert d["uid"].is_unique
    # one-hot model type: exactly one type per graphlet
    mt = d[[c for c in d.columns if c.startswith("model_type_")]]
    assert (mt.sum(axis=1) == 1).all()
    # nested main sets, each a superset of the previous, with non-decreasing feature cost
    cols = [set(ff.columns(s)) for s in MAIN_SETS]
    assert all(a < b for a, b in itertools.pairwise(cols))
    costs = [feature_cost(d, s) for s in MAIN_SETS]
    assert costs == sorted(costs) and costs[0] > 0 and costs[-1] <= 1.0
    assert feature_cost(d, "model_type") == 0.0
    for s in SETS:
        assert ff.columns(s), s
    # every graphlet holds exactly one trainer; absent kinds count 0 with NaN means
    assert (d["trainer_Trainer_n"] == 1).all()
    no_tuner = d[d["pre_Tuner_n"] == 0]
    assert no_tuner["pre_Tuner_in"].isna().all()
    # labels: undecided graphlets are NaN, the rest 0/1, and cost adds up with the graphlets
    assert set(d["pushed"].dropna().unique()) <= {0.0, 1.0}
    total = sum(r["graphlet"]["cost"] for r in tiny.read("graphlets/list", store=TINY_STORE))
    assert math.isclose(float(d["cost"].sum()), total, rel_tol=1e-9)


def test_frame_is_cached_by_corpus_fingerprint(tiny: Warehouse) -> None:
    a = build_frame(tiny, k=3, use_cache=False)
    b = build_frame(tiny, k=3)
    assert b.cached and b.fingerprint == a.fingerprint
    assert b.data.equals(a.data)
    c = build_frame(tiny, k=2)
    assert c.fingerprint != a.fingerprint and "jaccard_3" not in c.columns("history")
    # a subset computed directly equals the corresponding rows of the full frame
    pipe = str(a.data["pipeline"].iloc[-1])
    sub = compute_frame(tiny, k=3, pipeline=pipe)
    full = a.data[a.data["pipeline"] == pipe].reset_index(drop=True)
    for col in ("uid", "jaccard_1", "dataset_similarity_2", "code_changed_3", "prev_pushed_1", "cost"):
        assert sub[col].equals(full[col]), col


# -- dataset similarity, by hand ----------------------------------------------------------------------


def test_dataset_similarity_formula_by_hand() -> None:
    # identical summaries -> 1; equal means, stds 1 and 2 -> sqrt(2*1*2 / (1 + 4)) = sqrt(0.8)
    assert feature_similarity(3.0, 1.0, 3.0, 1.0) == 1.0
    assert math.isclose(feature_similarity(0.0, 1.0, 0.0, 2.0), math.sqrt(0.8))
    # means 0 and 1, stds 1 -> exp(-1 / (4 * 2)) = exp(-0.125)
    assert math.isclose(feature_similarity(0.0, 1.0, 1.0, 1.0), math.exp(-0.125))
    assert feature_similarity(1.0, 0.0, 1.0, 0.0) == 1.0 and feature_similarity(1.0, 0.0, 2.0, 0.0) == 0.0
    a = {"f0": {"mean": 0.0, "std": 1.0}, "f1": {"mean": 1.0, "std": 2.0}}
    b = {"f0": {"mean": 1.0, "std": 1.0}, "f2": {"mean": 5.0, "std": 1.0}}
    # union {f0, f1, f2}: f0 scores exp(-0.125), one-sided f1 and f2 score 0
    assert math.isclose(span_similarity(a, b), math.exp(-0.125) / 3)
    # pairs without statistics on both sides are skipped; no usable pair -> NaN
    assert math.isclose(dataset_similarity([(a, a), (a, b), (a, None)]), (1 + math.exp(-0.125) / 3) / 2)
    assert math.isnan(dataset_similarity([(None, a), (b, None)]))


def test_jaccard_and_dataset_similarity_on_a_hand_built_trace(warehouse: Warehouse, tmp_path: Path) -> None:
    """Two trainers on rolling windows of spans {1, 2} and {2, 3}, each span with statistics."""
    stats = {
        1: {"f0": {"mean": 0.0, "std": 1.0}, "f1": {"mean": 1.0, "std": 2.0}},
        2: {"f0": {"mean": 0.0, "std": 1.0}, "f1": {"mean": 1.0, "std": 2.0}},
        3: {"f0": {"mean": 1.0, "std": 1.0}, "f2": {"mean": 5.0, "std": 1.0}},
    }
    b = MlmdBuilder()
    examples: dict[int, int] = {}
    clock = 0.0

    def span(s: int) -> None:
        nonlocal clock
        _, (ex,) = b.step("CsvExampleGen", clock, clock + 1, outputs=["Examples"], span=s)
        b.step(
            "StatisticsGen",
            clock + 1.5,
            clock + 2,
            inputs=[ex],
            outputs=["ExampleStatistics"],
            span=s,
            out_props={"feature_stats": json.dumps(stats[s])},
        )
        examples[s] = ex
        clock += 3

    span(1)
    span(2)
    t1, _ = b.step(
        "Trainer",
        clock,
        clock + 1,
        inputs=[examples[1], examples[2]],
        outputs=["Model"],
        props={"code_version": "v1", "model_type": "DNN", "architecture": "dnn-2x128"},
    )
    clock += 2
    span(3)
    t2, _ = b.step(
        "Trainer",
        clock,
        clock + 1,
        inputs=[examples[2], examples[3]],
        outputs=["Model"],
        props={"code_version": "v2", "model_type": "Linear", "architecture": "linear-ftrl"},
    )
    Loader(warehouse).load(str(b.write(tmp_path / "t.sqlite")), store="t")
    build_graphlets(warehouse)
    d = compute_frame(warehouse, k=3).set_index("uid")
    g1, g2 = d.loc[f"t:g:{t1}"], d.loc[f"t:g:{t2}"]
    # the first graphlet has no history at all
    assert all(math.isnan(g1[c]) for c in ("jaccard_1", "dataset_similarity_1", "code_changed_1", "prev_pushed_1"))
    # Jaccard({2, 3}, {1, 2}) = 1/3
    assert math.isclose(g2["jaccard_1"], 1 / 3)
    # ordinal pairs: span 2 (g2) with span 1 (g1) -> identical -> 1; span 3 with span 2 -> exp(-1/8) / 3
    assert math.isclose(g2["dataset_similarity_1"], (1 + math.exp(-0.125) / 3) / 2)
    assert g2["code_changed_1"] == 1.0
    assert math.isnan(g2["jaccard_2"]) and math.isnan(g2["prev_pushed_1"])  # no Pusher: outcome unknown
    assert g1["model_type_DNN"] == 1.0 and g2["model_type_Linear"] == 1.0
    assert g2["arch_linear-ftrl"] == 1.0 and g2["arch_dnn-2x128"] == 0.0
    # shape: two ExampleGens and two StatisticsGens (rule b) before the trainer, each with one output
    assert (g2["pre_ExampleGen_n"], g2["pre_StatisticsGen_n"], g2["trainer_Trainer_in"]) == (2.0, 2.0, 2.0)
    assert g2["pre_StatisticsGen_out"] == 1.0 and np.isnan(g2["pre_Transform_in"])
    assert math.isnan(g2["pushed"])


def test_docs_feature_set_table_is_the_registry() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "predictor.md").read_text()
    table = page.split("<!-- feature-sets:begin -->\n", 1)[1].split("<!-- feature-sets:end -->", 1)[0]
    assert table == markdown_table()
    for name in SETS:
        assert f"| `{name}` |" in table


# -- the contributor guide's worked example (docs/contributing.md: "A new feature group") --------------

EXAMPLE_GROUP_QUERY = """\
// Purpose: Example feature group `trainer_inputs`: how many artifacts the graphlet's trainer read.
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row per graphlet: uid, trainer_inputs (int, null without a trainer execution)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
RETURN g.uid AS uid, CASE WHEN t IS NULL THEN null ELSE COUNT { (t)<-[:INPUT]-(:Artifact) } END AS trainer_inputs
"""


def test_worked_example_a_feature_group_is_a_query_and_a_registry_entry(
    tiny: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guide's three files, in-process: the query (its text above stands for
    cypher/features/group_trainer_inputs.cypher), the GROUPS and SETS entries, this test. Nothing else
    changes, and the frame, training, the CLI's set list and the docs table all pick the group up."""
    from mlprov.features import registry
    from mlprov.features.predictor import split_by_pipeline, train_model
    from mlprov.queries import catalog, parse

    name = "features/group_trainer_inputs"
    monkeypatch.setitem(catalog(), name, parse(name, EXAMPLE_GROUP_QUERY))
    group = registry.FeatureGroup(
        "trainer_inputs", "artifacts read by the trainer", query=name, columns=("trainer_inputs",)
    )
    monkeypatch.setitem(registry.GROUPS, group.name, group)
    example = registry.FeatureSet(
        "model_inputs", ("model", "trainer_inputs"), frozenset({"Trainer"}), False, 0.5, "model + trainer inputs"
    )
    monkeypatch.setitem(registry.SETS, example.name, example)

    ff = build_frame(tiny, k=3, use_cache=True)
    assert not ff.cached  # the new group's query is part of the cache key
    d = ff.data
    # independent check: one trainer per graphlet, so its INPUT count is the shape group's mean INPUT edges
    one = d[d["trainer_Trainer_n"] == 1]
    assert len(one) > 10
    assert (one["trainer_inputs"] == one["trainer_Trainer_in"]).all()
    assert ff.columns("model_inputs")[-1] == "trainer_inputs"
    train, _ = split_by_pipeline(ff.labelled, seed=0)
    model = train_model(ff, "model_inputs", train, seed=0, folds=2)
    assert "trainer_inputs" in model.features
    assert "| `model_inputs` | ablation | model + trainer_inputs | Trainer | 0.500 |" in registry.markdown_table()
