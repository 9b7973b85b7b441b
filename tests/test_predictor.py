"""The push predictor (docs/predictor.md) on the generated `tiny` corpus in a real Neo4j: pipeline splits,
reproducible models, write-back, refusal of mismatched models, the baselines and the CLI."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlprov.db import Warehouse
from mlprov.features.evaluation import (
    evaluate,
    freshness_waste,
    heuristic_scores,
    net_saving,
    read_latent,
    write_report,
)
from mlprov.features.frame import MODEL_TYPES, build_frame, cache_dir
from mlprov.features.predictor import (
    ModelMismatchError,
    Prediction,
    balanced_accuracy,
    best_threshold,
    load_model,
    pipeline_folds,
    pipeline_keys,
    predict,
    roc_auc,
    save_model,
    split_by_pipeline,
    train_model,
)
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from mlprov.settings import Connection
from tests.conftest import elsewhere_env, run_cli
from tests.mlmd_builder import MlmdBuilder
from tests.test_features import ensure_tiny


@pytest.fixture
def tiny(_session_warehouse: Warehouse, tiny_dir: Path) -> Iterator[Warehouse]:
    ensure_tiny(_session_warehouse, tiny_dir)
    yield _session_warehouse


def test_split_keeps_every_pipeline_on_one_side(tiny: Warehouse) -> None:
    ff = build_frame(tiny)
    data = ff.labelled
    keys = pipeline_keys(data)
    for seed in range(5):
        train, test = split_by_pipeline(data, seed)
        assert (train ^ test).all()
        assert not set(keys[train]) & set(keys[test])
        y = data["pushed"].to_numpy()
        assert 0 < y[test].mean() < 1 and 0 < y[train].mean() < 1
    # the cross-validation folds used for tuning and the threshold split the training side by pipeline
    train, _ = split_by_pipeline(data, 0)
    inner = pipeline_keys(data[train])
    folds = pipeline_folds(data[train], 4, 7919)
    assert len(set(folds)) == min(4, inner.nunique())  # every fold holds a pipeline when there are enough
    assert (pd.Series(folds, index=inner.index).groupby(inner).nunique() == 1).all()


def test_same_seed_same_model_and_saved_as_json(tiny: Warehouse, tmp_path: Path) -> None:
    ff = build_frame(tiny)
    train, test = split_by_pipeline(ff.labelled, 3)
    a = train_model(ff, "input_pre", train, seed=3)
    b = train_model(ff, "input_pre", train, seed=3, workers=2)  # folds fitted two at a time: the same model
    assert a.model_json() == b.model_json() and a.threshold == b.threshold and a.version == b.version
    assert (a.rounds, a.params, a.validation_auc) == (b.rounds, b.params, b.validation_auc)
    meta = save_model(a, tmp_path / "m")
    booster_file = tmp_path / "m.xgb.json"
    assert json.loads(booster_file.read_text())["learner"]  # xgboost's own JSON, no pickle
    saved = json.loads(meta.read_text())
    assert saved["features"] == a.features and saved["feature_set"] == "input_pre"
    assert saved["corpus_fingerprint"] == ff.fingerprint and saved["threshold"] == a.threshold
    assert {"xgboost", "mlprov", "pandas", "numpy"} <= set(saved["versions"])
    again = load_model(meta)
    assert again.model_json() == a.model_json()
    test_rows = ff.labelled[test]
    assert np.array_equal(again.predict_proba(test_rows), a.predict_proba(test_rows))
    # one aligned copy gives the probabilities and the SHAP values, which add up to the log-odds
    _, p1, c1 = a.explain(test_rows)
    assert np.array_equal(p1, a.predict_proba(test_rows)) and np.array_equal(c1, a.contributions(test_rows))
    np.testing.assert_allclose(1 / (1 + np.exp(-c1.sum(axis=1))), p1, rtol=1e-4)


def test_predict_writes_back_and_is_idempotent(tiny: Warehouse, tmp_path: Path) -> None:
    ff = build_frame(tiny)
    train, _ = split_by_pipeline(ff.labelled, 0)
    model = train_model(ff, "input", train, seed=0)
    pipe = str(ff.data["pipeline"].iloc[0])
    preds, changed, _ = predict(tiny, model, pipeline=pipe, top=3)
    n = int((ff.data["pipeline"] == pipe).sum())
    assert len(preds) == n and changed == n
    stored = {r["uid"]: r for r in tiny.read("predict/read", uids=None, pipeline=pipe)}
    assert set(stored) == {p.uid for p in preds}
    for p in preds:
        r = stored[p.uid]
        assert r["push_probability"] == p.push_probability and 0 <= p.push_probability <= 1
        assert r["push_decision"] == (p.push_probability >= model.threshold)
        assert r["model_version"] == model.version
        contribs = json.loads(r["contributions"])
        assert contribs == p.contributions and len(contribs) <= 3
        assert all(c["feature"] in model.features for c in contribs)
    # SHAP: contributions + bias add up to the log-odds of the probability
    rows = ff.data[ff.data["uid"] == preds[0].uid]
    shap = model.contributions(rows)[0]
    assert math.isclose(1 / (1 + math.exp(-shap.sum())), preds[0].push_probability, rel_tol=1e-4)
    # predicting again writes nothing and leaves the same values
    again, changed, _ = predict(tiny, model, pipeline=pipe, top=3)
    assert changed == 0
    assert [(p.uid, p.push_probability, p.contributions) for p in again] == [
        (p.uid, p.push_probability, p.contributions) for p in preds
    ]
    assert {r["uid"]: r for r in tiny.read("predict/read", uids=None, pipeline=pipe)} == stored
    # one graphlet by uid, also without a cached frame (only its row is computed): same answer
    one, _, _ = predict(tiny, model, uids=[preds[-1].uid])
    assert [p.uid for p in one] == [preds[-1].uid]
    for f in cache_dir().glob("frame-*.parquet"):
        f.unlink()
    alone, changed, _ = predict(tiny, model, uids=[preds[-1].uid])
    assert changed == 0 and alone[0].push_probability == preds[-1].push_probability
    assert alone[0].contributions == one[0].contributions


def test_predict_all_in_chunks_writes_every_graphlet_and_keeps_the_first(
    tiny: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus is predicted a chunk of rows at a time: the same predictions as in one piece, every graphlet
    written back; ``keep`` (what `mlprov predict` prints) returns the first ones only."""
    import mlprov.features.predictor as predictor

    ff = build_frame(tiny)
    train, _ = split_by_pipeline(ff.labelled, 0)
    model = train_model(ff, "input", train, seed=0)

    def shown(preds: list[Prediction]) -> list[tuple[str, float, bool, list[dict[str, object]]]]:
        return [(p.uid, p.push_probability, p.push_decision, p.contributions) for p in preds]

    whole, _, _ = predict(tiny, model, ff=ff)
    monkeypatch.setattr(predictor, "PREDICT_CHUNK", 7)
    chunked, changed, _ = predict(tiny, model, ff=ff)
    assert changed == 0 and shown(chunked) == shown(whole) and len(whole) == len(ff.data)
    kept, changed, _ = predict(tiny, model, ff=ff, keep=10)
    assert changed == 0 and shown(kept) == shown(whole[:10])
    stored = {r["uid"]: r["push_probability"] for r in tiny.read("predict/read", uids=None, pipeline=None)}
    assert stored == {p.uid: p.push_probability for p in whole}


def test_model_with_other_features_is_refused(tiny: Warehouse, tmp_path: Path) -> None:
    ff3 = build_frame(tiny, k=3)
    train, _ = split_by_pipeline(ff3.labelled, 0)
    model = train_model(ff3, "input", train, seed=0)
    meta = save_model(model, tmp_path / "k3")
    loaded = load_model(meta)
    ff2 = build_frame(tiny, k=2)  # history window 2: no lag-3 features
    with pytest.raises(ModelMismatchError, match="jaccard_3"):
        loaded.predict_proba(ff2.data)
    with pytest.raises(ModelMismatchError, match="does not have"):
        predict(tiny, loaded, ff=ff2)
    # metadata whose feature list does not match the booster is refused at load time
    doc = json.loads(meta.read_text())
    doc["features"] = list(reversed(doc["features"]))
    meta.write_text(json.dumps(doc))
    with pytest.raises(ModelMismatchError, match="differ"):
        load_model(meta)
    # and the CLI says so in one line with a non-zero exit
    doc["features"] = [*model.features, "no_such_feature"]
    meta.write_text(json.dumps(doc))
    res = run_cli("predict", "--model", str(meta))
    assert res.returncode != 0 and "mlprov: error:" in res.stderr


def test_heuristic_baseline_as_documented() -> None:
    def frame(types: list[str], pushed: list[float]) -> pd.DataFrame:
        d = pd.DataFrame({f"model_type_{t}": [1.0 if x == t else 0.0 for x in types] for t in MODEL_TYPES})
        d["pushed"] = pushed
        return d

    # training push rates: DNN 1/4, Linear 2/2, Tree 0/2; overall 3/8
    train = frame(["DNN"] * 4 + ["Linear"] * 2 + ["Tree"] * 2, [1, 0, 0, 0, 1, 1, 0, 0])
    test = frame(["DNN", "Linear", "Tree", "Ensemble"], [0, 1, 0, 1])
    s_train, s_test, cut = heuristic_scores(train, test)
    assert list(s_test) == [0.25, 1.0, 0.0, 3 / 8]  # an unseen type gets the overall training rate
    # the cut maximising training balanced accuracy: push when the rate >= 0.25 (TPR 1, TNR 2/5) or
    # >= 1.0 (TPR 2/3, TNR 1) -> BA 0.7 vs 0.833: the cut is 1.0 (only Linear pushes)
    assert cut == 1.0
    assert balanced_accuracy(train["pushed"].to_numpy(), s_train >= cut) == pytest.approx(5 / 6)
    assert list(s_test >= cut) == [False, True, False, False]


def test_metrics_curve_and_net_saving_by_hand() -> None:
    y = np.array([1, 1, 0, 0, 0])
    s = np.array([0.9, 0.4, 0.5, 0.2, 0.1])
    cost = np.array([10.0, 10.0, 20.0, 30.0, 50.0])
    assert roc_auc(y, s) == pytest.approx(5 / 6)
    assert balanced_accuracy(y, s >= 0.45) == pytest.approx(0.5 * (1 / 2 + 2 / 3))
    curve = freshness_waste(y, s, cost)
    # 100% freshness: run score >= 0.4 -> the unpushed 0.5 (cost 20 of 100) still runs -> 80% removed
    assert curve.removed_at(1.0) == pytest.approx(0.8)
    assert curve.removed_at(0.5) == pytest.approx(1.0)
    # skipping below 0.45 at a decision point where 5 of each graphlet's cost already ran
    ns = net_saving(y, s, cost, np.full(5, 5.0), 0.45)
    assert ns["net_saving"] == pytest.approx((5 + 25 + 45) / 120)
    assert ns["net_waste_removed"] == pytest.approx((25 + 45) / 100)
    assert ns["freshness"] == pytest.approx(0.5)


def test_threshold_and_curve_equal_their_definition_at_every_cut() -> None:
    """The threshold search and the freshness-waste curve are computed from sorted counts; each must equal
    the definition (compare every score with every cut), with ties, NaN scores and zero costs."""
    rng = np.random.default_rng(7)
    for trial in range(300):
        n = int(rng.integers(2, 120))
        y = rng.random(n) < 0.3
        s = np.round(rng.random(n), int(trial % 3))  # 1 or 2 decimals: many ties; 0: two values
        s[rng.random(n) < 0.1] = np.nan
        cost = rng.exponential(size=n) * (rng.random(n) < 0.9)
        cuts = np.unique(s)
        bas = [balanced_accuracy(y, s >= t) for t in cuts]
        want = 0.5
        if y.any() and not y.all():
            want = float(cuts[int(np.argmax(np.array(bas) > np.nanmax(bas) - 1e-12))])
        assert best_threshold(y, s) == want or (math.isnan(want) and math.isnan(best_threshold(y, s)))
        curve = freshness_waste(y, s, cost)
        neg_cost = float(cost[~y].sum()) or 1.0
        for t, fresh, waste in zip(curve.thresholds, curve.freshness, curve.waste, strict=True):
            assert fresh == (y & (s >= t)).sum() / max(1, int(y.sum()))
            assert waste == pytest.approx(cost[~y & (s >= t)].sum() / neg_cost, rel=1e-12, abs=1e-15)
        if (~y).any() and not np.isnan(s[~y]).any():
            assert curve.waste[0] == 1.0  # everything runs at the lowest cut: exactly all the waste


def test_evaluate_with_oracle_and_cli(tiny: Warehouse, tiny_dir: Path, tmp_path: Path) -> None:
    ff = build_frame(tiny)
    latent = read_latent(tiny_dir / "latent.csv")
    assert ff.labelled["trainer_uid"].isin(latent.index).all()  # "<store stem>:e:<id>" joins
    ev = evaluate(ff, sets=("input", "validation"), seeds=(0, 1), latent=tiny_dir / "latent.csv")
    assert set(ev.results) == {"heuristic", "input", "validation", "oracle"}
    assert ev.oracle_matched == len(ff.labelled) and ev.undecided == int(ff.data["pushed"].isna().sum())
    for r in ev.results.values():
        assert len(r.ba) == 2 and all(0 <= v <= 1 for v in r.ba)
    paths = write_report(ev, tmp_path / "report")
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in paths["html"].read_text()
    # the commands, as a user runs them
    res = run_cli("features", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["graphlets"] == len(ff.data)
    res = run_cli("train", "--set", "input", "--seed", "1")
    assert res.returncode == 0, res.stderr
    assert "balanced accuracy" in res.stdout
    res = run_cli("predict", "--pipeline", str(ff.data["pipeline"].iloc[0]))
    assert res.returncode == 0, res.stderr
    assert "written back" in res.stdout
    res = run_cli(
        "evaluate",
        "--seeds",
        "1",
        "--sets",
        "input",
        "--latent",
        str(tiny_dir / "latent.csv"),
        "--out",
        str(tmp_path / "cli-report"),
    )
    assert res.returncode == 0, res.stderr
    assert "oracle" in res.stdout and (tmp_path / "cli-report" / "curve.html").exists()


def test_evaluate_results_do_not_depend_on_how_many_pieces_run_at_once(
    tiny: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """evaluate fits the models' cross-validation folds and refits as pieces across all models, MLPROV_WORKERS
    at a time: one at a time or three at once, every row's metrics are the same (only the seconds differ)."""
    ff = build_frame(tiny)

    def rows(workers: str) -> str:
        monkeypatch.setenv("MLPROV_WORKERS", workers)
        ev = evaluate(ff, sets=("input", "validation"), seeds=(0, 1), models=("xgboost", "rf"))
        assert list(ev.results) == ["heuristic", "input", "rf:input", "validation", "rf:validation"]
        summaries = [{k: v for k, v in r.summary().items() if k != "train_seconds"} for r in ev.results.values()]
        return json.dumps(summaries)  # NaN as NaN: equal when both are

    assert rows("3") == rows("1")


def blessing_decides_push_store(path: Path, pipelines: int = 12, per_pipeline: int = 8) -> tuple[Path, int]:
    """A store where the Evaluator's blessing decides every push and every trainer is a DNN: a model
    that sees the validation outcome must separate pushed from unpushed perfectly, while the
    model-type heuristic has nothing to go on (one type: constant score, balanced accuracy 0.5).
    Returns the path and the number of pushed graphlets."""
    rng = random.Random(23)
    b = MlmdBuilder()
    pushed = 0
    for p in range(pipelines):
        b.pipeline = f"pipe{p:02d}"
        for i in range(per_pipeline):
            t = 1000.0 * (p * per_pipeline + i)
            blessed = int(rng.random() < 0.5) if 0 < i < per_pipeline - 1 else i % 2  # both outcomes per pipeline
            pushed += blessed
            _, (ex,) = b.step("CsvExampleGen", t, t + 10, outputs=["Examples"], span=i)
            b.step("StatisticsGen", t + 11, t + 20, inputs=[ex], outputs=["ExampleStatistics"], span=i)
            _, (model,) = b.step(
                "Trainer",
                t + 21,
                t + 100,
                inputs=[ex],
                outputs=["Model"],
                props={"model_type": "DNN", "architecture": "dnn-2x64"},
            )
            _, (bless,) = b.step(
                "Evaluator",
                t + 101,
                t + 120,
                inputs=[model, ex],
                outputs=["ModelBlessing"],
                out_props={"blessed": blessed},
            )
            b.step(
                "Pusher",
                t + 121,
                t + 125,
                inputs=[model, bless],
                outputs=["PushedModel"],
                out_props={"pushed": blessed},
            )
    return b.write(path), pushed


def test_trained_model_beats_the_model_type_heuristic_where_it_must(
    warehouse: Warehouse, neo4j_connection: Connection, tmp_path: Path
) -> None:
    path, n_pushed = blessing_decides_push_store(tmp_path / "blessing.sqlite")
    Loader(warehouse).load(str(path), store="blessing")
    build_graphlets(warehouse)
    ff = build_frame(warehouse)
    assert len(ff.labelled) == 96 and int(ff.labelled["pushed"].sum()) == n_pushed
    ev = evaluate(ff, sets=("validation",), seeds=(0, 1, 2))
    # one model type: the heuristic scores every graphlet the same -> exactly chance on every split
    assert ev.results["heuristic"].ba == [0.5, 0.5, 0.5]
    # the blessing is in the validation set and decides the push: near-perfect on held-out pipelines
    assert min(ev.results["validation"].ba) >= 0.9, ev.results["validation"].ba
    assert min(ev.results["validation"].auc) >= 0.95, ev.results["validation"].auc
    # the same through the commands, with their own MLPROV_HOME (models saved there only)
    env = elsewhere_env(neo4j_connection, tmp_path / "home")
    res = run_cli("train", "--set", "validation", "--seed", "0", env=env)
    assert res.returncode == 0, res.stderr
    ba = float(res.stdout.split("balanced accuracy")[1].split(",")[0])
    assert ba >= 0.9, res.stdout
    res = run_cli("predict", "--limit", "0", env=env)
    assert res.returncode == 0, res.stderr
    assert "96 graphlet(s) predicted" in res.stdout and "96 written back" in res.stdout
    got = warehouse.read_text(
        "MATCH (g:Graphlet) RETURN g.pushed AS pushed, g.push_decision AS decision", {}, limit=1000
    )[1]
    assert len(got) == 96
    # trained on ~80% of the pipelines, the decision matches the outcome on (almost) every graphlet
    assert sum(r["pushed"] == r["decision"] for r in got) >= 0.9 * 96
