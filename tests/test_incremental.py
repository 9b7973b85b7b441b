"""Incremental stays incremental (issue 16): after a reload that changed one pipeline, graphlets, features and
predict touch only that pipeline, and what they leave equals a full rebuild from scratch.

On a copy of the generated `tiny` store in a real Neo4j: a full build (graphlets, frame, a model, predict),
then the latest Trainer run is re-published in the MLMD store (a newer update time and a new custom property,
as a pipeline re-running its last step would), the store is reloaded and everything is rebuilt incrementally;
then the graph is wiped, the changed store loaded and built from scratch, and the two are compared.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlprov.db import Warehouse
from mlprov.features.frame import build_frame, cache_dir
from mlprov.features.predictor import predict, split_by_pipeline, train_model
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from tests.bench.bench_incremental import republish_latest_trainer
from tests.test_features import TINY_STORE

SUMMARIES = (
    "MATCH (s:PipelineSummary) RETURN s.pipeline AS pipeline, s.written_at AS written_at, "
    "s.predictions_written_at AS predictions_written_at ORDER BY pipeline"
)


def _graphlets(wh: Warehouse) -> dict[str, Any]:
    """Every graphlet's properties (costs rounded), members and successor, by uid."""
    out = {}
    for r in wh.read("graphlets/list", store=None):
        props = {k: round(v, 6) if k.startswith("cost") and v is not None else v for k, v in r["graphlet"].items()}
        out[str(props["uid"])] = (props, r["members"], r["next"])
    return out


def _predictions(wh: Warehouse) -> dict[str, tuple[Any, ...]]:
    return {
        str(r["uid"]): (r["push_probability"], r["push_decision"], r["model_version"], r["contributions"])
        for r in wh.read("predict/read", uids=None, pipeline=None)
    }


def _summaries(wh: Warehouse) -> dict[str, tuple[Any, Any]]:
    return {str(r["pipeline"]): (r["written_at"], r["predictions_written_at"]) for r in wh.read_text(SUMMARIES, {})[1]}


def test_a_one_pipeline_change_rebuilds_only_that_pipeline_and_equals_a_full_rebuild(
    warehouse: Warehouse, tiny_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / f"{TINY_STORE}.sqlite"
    shutil.copyfile(tiny_dir / "stores" / f"{TINY_STORE}.sqlite", store)
    Loader(warehouse).load(str(store))
    first = build_graphlets(warehouse)
    ff = build_frame(warehouse, use_cache=False)
    train, _ = split_by_pipeline(ff.labelled, 0)
    model = train_model(ff, "input", train, seed=0)
    preds, _, _ = predict(warehouse, model, ff=ff, changed_only=True)
    assert len(preds) == len(ff.data) == first.graphlets  # nothing was predicted before: every graphlet
    # predicting again with nothing changed scores nothing
    assert predict(warehouse, model, ff=build_frame(warehouse), changed_only=True) == ([], 0, 0)
    graphlets_before, summaries_before = _graphlets(warehouse), _summaries(warehouse)
    pipelines = set(ff.data["pipeline"])
    assert len(pipelines) >= 5

    trainer = republish_latest_trainer(store)
    changed = str(
        warehouse.read_text(
            "MATCH (t:Execution {store: $store, mlmd_id: $id}) RETURN t.pipeline AS pipeline",
            {"store": TINY_STORE, "id": trainer},
        )[1][0]["pipeline"]
    )
    assert not Loader(warehouse).load(str(store)).up_to_date

    # graphlets: only the changed pipeline is rebuilt; the others' graphlets and summaries are left alone
    again = build_graphlets(warehouse)
    assert again.scoped_pipelines == 1
    assert (again.created, again.updated, again.deleted) == (0, 1, 0)
    assert again.unchanged == first.graphlets - 1 and again.graphlets == first.graphlets
    graphlets_after, summaries_after = _graphlets(warehouse), _summaries(warehouse)
    moved = {u for u in graphlets_before if graphlets_after[u] != graphlets_before[u]}
    assert {graphlets_after[u][0]["pipeline"] for u in moved} == {changed}
    assert {p for p in pipelines if summaries_after[p][0] != summaries_before[p][0]} == {changed}

    # features: only the changed pipeline's rows are computed
    ff2 = build_frame(warehouse)
    in_changed = ff2.data["pipeline"] == changed
    assert not ff2.cached and ff2.computed == int(in_changed.sum())
    # predict: only the changed pipeline's graphlets are scored and their pipeline's summary refreshed
    preds2, _, _ = predict(warehouse, model, ff=ff2, changed_only=True)
    assert {p.pipeline for p in preds2} == {changed} and len(preds2) == int(in_changed.sum())
    summaries_predicted = _summaries(warehouse)
    assert {p for p in pipelines if summaries_predicted[p][1] != summaries_after[p][1]} == {changed}
    incremental = (_graphlets(warehouse), ff2.data, _predictions(warehouse))

    # a full rebuild from scratch of the changed store gives the same graphlets, frame and predictions
    warehouse.run_batched("admin/clear_graph")
    Loader(warehouse).load(str(store))
    build_graphlets(warehouse)
    full = build_frame(warehouse, use_cache=False)
    assert full.computed == len(full.data) and full.fingerprint == ff2.fingerprint
    predict(warehouse, model, ff=full, changed_only=True)
    graphlets_full, predictions_full = _graphlets(warehouse), _predictions(warehouse)
    assert graphlets_full == incremental[0]
    # (a reload stores the trace anew: Cypher's sums of execution costs may add in another order, last bits)
    pd.testing.assert_frame_equal(full.data, incremental[1], check_exact=False, rtol=1e-12, atol=0)
    features = [c for c in full.data.columns if not c.startswith("cost")]
    pd.testing.assert_frame_equal(full.data[features], incremental[1][features], check_exact=True)
    assert predictions_full == incremental[2]
    # and the cached parts assemble to that frame too
    pd.testing.assert_frame_equal(build_frame(warehouse).data, full.data, check_exact=True)


def test_frame_parts_of_changed_pipelines_are_never_reused(
    warehouse: Warehouse, tiny_dir: Path, tmp_path: Path
) -> None:
    """Rows of a pipeline are reused only under that pipeline's current key: after the change, the part
    holding the changed pipeline's old rows is not read for it, and a frame assembled from parts equals one
    computed from scratch. The store's first Trainer changes here: its graphlet's uid sorts before most
    others, so a pipeline's key that depended on graphlets of other pipelines would change too."""
    store = tmp_path / f"{TINY_STORE}.sqlite"
    shutil.copyfile(tiny_dir / "stores" / f"{TINY_STORE}.sqlite", store)
    Loader(warehouse).load(str(store))
    build_graphlets(warehouse)
    before = build_frame(warehouse, use_cache=False)
    republish_latest_trainer(store, earliest=True)
    Loader(warehouse).load(str(store))
    build_graphlets(warehouse)
    for whole in cache_dir().glob("frame-*.parquet"):  # the changed corpus's whole frame may be cached already
        whole.unlink()
    after = build_frame(warehouse)
    changed = {g for g, key in after.groups.items() if before.groups.get(g) != key}
    assert len(changed) == 1 and after.computed == int(
        np.sum([(s, p) in changed for s, p in zip(after.data["store"], after.data["pipeline"], strict=True)])
    )
    scratch = build_frame(warehouse, use_cache=False)
    assert scratch.computed == len(scratch.data)
    pd.testing.assert_frame_equal(scratch.data, after.data, check_exact=True)
