"""The study's own classifier beside ours: a scikit-learn Random Forest trained, saved (skops, never
pickle), loaded and evaluated on the same pipeline splits as xgboost, on the generated `tiny` corpus."""

# ruff: noqa: F811 (the tiny fixture is imported from test_analytics)
from __future__ import annotations

import json
import math
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.preprocessing import FunctionTransformer

from mlprov.db import Warehouse
from mlprov.features.evaluation import evaluate, table_rows
from mlprov.features.frame import build_frame
from mlprov.features.predictor import (
    ModelError,
    align,
    load_model,
    save_model,
    split_by_pipeline,
    train_model,
)
from tests.conftest import run_cli
from tests.test_analytics import tiny  # noqa: F401 (fixture)


def test_rf_is_a_seeded_random_forest_saved_without_pickle(tiny: Warehouse, tmp_path: Path) -> None:
    ff = build_frame(tiny)
    train, test = split_by_pipeline(ff.labelled, 2)
    a = train_model(ff, "input_pre", train, seed=2, kind="rf")
    b = train_model(ff, "input_pre", train, seed=2, kind="rf")
    assert isinstance(a.forest, RandomForestClassifier) and a.booster is None and a.kind == "rf"
    assert a.model_bytes() == b.model_bytes() and a.version == b.version and a.threshold == b.threshold
    assert a.version.startswith("rf-input_pre-")
    other = train_model(ff, "input_pre", train, seed=5, kind="rf")
    assert other.model_bytes() != a.model_bytes()
    # its probabilities are the forest's own on the model's feature columns
    rows = ff.labelled[test]
    x = rows[ff.columns("input_pre")].to_numpy(dtype=float)
    np.testing.assert_array_equal(a.predict_proba(rows), a.forest.predict_proba(x)[:, 1])
    assert a.forest.n_features_in_ == len(ff.columns("input_pre")) and np.isnan(x).any()  # NaNs go to the trees

    meta = save_model(a, tmp_path / "m")
    saved = json.loads(meta.read_text())
    assert saved["kind"] == "rf" and saved["model_file"] == "m.rf.skops" and saved["features"] == a.features
    assert {"scikit-learn", "mlprov"} <= set(saved["versions"])
    with zipfile.ZipFile(tmp_path / "m.rf.skops") as z:  # skops: a zip of JSON schema and arrays, no pickle
        names = z.namelist()
    assert "schema.json" in names and not any(n.endswith((".pkl", ".pickle")) for n in names)
    assert not (tmp_path / "m.xgb.json").exists()
    again = load_model(meta)
    assert again.kind == "rf" and again.model_bytes() == a.model_bytes() and again.threshold == a.threshold
    np.testing.assert_array_equal(again.predict_proba(rows), a.predict_proba(rows))
    # contributions: none for a forest (all zero), so predict writes an empty list
    assert not again.contributions(rows).any()


def test_a_damaged_or_foreign_model_file_is_one_error(tiny: Warehouse, tmp_path: Path) -> None:
    ff = build_frame(tiny)
    train, _ = split_by_pipeline(ff.labelled, 0)
    model = train_model(ff, "model_type", train, seed=0, kind="rf")
    meta = save_model(model, tmp_path / "m")
    forest_file = tmp_path / "m.rf.skops"
    forest_file.write_bytes(forest_file.read_bytes()[:200])
    with pytest.raises(ModelError, match=r"cannot read model .*m\.rf\.skops"):
        load_model(meta)
    # a skops file holding a type a push model never has (a function that runs a shell): refused, never loaded
    skops.io.dump(FunctionTransformer(os.system), forest_file)
    with pytest.raises(ModelError, match=r"holds types a push model never has: posix\.system"):
        load_model(meta)
    # a file skops trusts but which is no forest
    skops.io.dump(FunctionTransformer(np.log1p), forest_file)
    with pytest.raises(ModelError, match="not a Random Forest over the"):
        load_model(meta)
    res = run_cli("predict", "--model", str(meta))
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "not a Random Forest" in res.stderr


def test_evaluate_scores_rf_and_xgboost_on_the_same_splits(tiny: Warehouse) -> None:
    ff = build_frame(tiny)
    ev = evaluate(ff, sets=("input", "validation"), seeds=(0, 1), models=("xgboost", "rf"))
    assert list(ev.results) == ["heuristic", "input", "rf:input", "validation", "rf:validation"]
    assert {r.model for n, r in ev.results.items() if n.startswith("rf:")} == {"rf"}
    # each rf row: the forest trained on that seed's training pipelines, scored on its test pipelines
    data = ff.labelled
    y = data["pushed"].to_numpy(dtype=float)
    for i, seed in enumerate((0, 1)):
        train, test = split_by_pipeline(data, seed)
        assert int(test.sum()) == ev.test_sizes[i]
        assert not set(data.loc[train, "pipeline"]) & set(data.loc[test, "pipeline"])
        for name in ("input", "validation"):
            rf = train_model(ff, name, train, seed=seed, kind="rf")
            assert rf.forest is not None
            p = rf.forest.predict_proba(align(data[test], rf).to_numpy(dtype=float))[:, 1]
            expected = balanced_accuracy_score(y[test], p >= rf.threshold)
            assert math.isclose(ev.results[f"rf:{name}"].ba[i], expected, rel_tol=1e-12), (seed, name)
            assert math.isclose(ev.results[f"rf:{name}"].auc[i], roc_auc_score(y[test], p), rel_tol=1e-12)
    # the Table 3 analogue: an xgboost and an rf row per set, the study's (RF) value beside both
    rows = {(r[0], r[1]): r for r in table_rows(ev)}
    assert rows[("input", "rf")][2] == rows[("input", "xgboost")][2] == "0.737"
    assert rows[("validation", "rf")][2] == "0.948" and rows[("heuristic", "-")][2] == "0.600"


def test_train_and_evaluate_commands_with_the_random_forest(tiny: Warehouse, tmp_path: Path) -> None:
    res = run_cli("train", "--model", "rf", "--set", "input", "--out", str(tmp_path / "rf"))
    assert res.returncode == 0, res.stderr
    assert ": rf, set input" in res.stdout and "trees" in res.stdout and "balanced accuracy" in res.stdout
    assert (tmp_path / "rf.rf.skops").exists() and "rf.rf.skops" in res.stdout
    res = run_cli("predict", "--model", str(tmp_path / "rf.meta.json"), "--limit", "3")
    assert res.returncode == 0, res.stderr
    assert "written back" in res.stdout and "rf-input-" in res.stdout
    res = run_cli(
        "evaluate", "--seeds", "1", "--sets", "input", "--models", "xgboost,rf", "--out", str(tmp_path / "ev")
    )
    assert res.returncode == 0, res.stderr
    results = json.loads((tmp_path / "ev" / "results.json").read_text())["results"]
    assert [(r["set"], r["model"]) for r in results] == [("heuristic", "-"), ("input", "xgboost"), ("rf:input", "rf")]
    assert "rf" in res.stdout and "xgboost" in res.stdout
    bad = run_cli("evaluate", "--models", "xgboost,svm")
    assert bad.returncode != 0 and "svm" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("train", "--model", "svm")
    assert bad.returncode != 0 and "svm" in bad.stderr and "Traceback" not in bad.stderr
