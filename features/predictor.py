"""The push predictor (docs/predictor.md): xgboost on the feature frame, saved as JSON, applied to graphlets.

* Splits are by pipeline (``store/pipeline``): no pipeline has graphlets on both sides. Among many
  random pipeline partitions of a seed, the one whose test side is closest to the wanted share of
  graphlets *and* whose push rate is closest to the training side's is kept (:func:`split_by_pipeline`).
* Tuning and the decision threshold use the training side only: pipeline-grouped cross-validation
  (:data:`CV_FOLDS` folds, no pipeline in two folds) over a small grid with early stopping picks the
  parameters and the number of rounds by out-of-fold ROC-AUC; the threshold maximises balanced
  accuracy on the out-of-fold predictions; the final model is refit on the whole training side.
* Two model kinds (:data:`MODEL_KINDS`): ``xgboost`` (the default) and ``rf``, the study's own
  classifier, a scikit-learn Random Forest (:data:`RF_PARAMS`, with :data:`RF_GRID` tuned the same way:
  pipeline-grouped folds, out-of-fold ROC-AUC, threshold on the out-of-fold predictions, refit).
* Models are saved as xgboost's own JSON (``<base>.xgb.json``) or a skops file (``<base>.rf.skops``:
  scikit-learn's arrays, no code; loading trusts no type but the tree structure) plus a metadata JSON
  (kind, feature set, feature list, threshold, history window, corpus fingerprint, versions) under
  ``$MLPROV_HOME/models/`` — never pickle.
  Loading checks that the frame has every feature the model needs (:class:`ModelMismatchError`).
* :func:`predict` writes the push probability, the decision, the model version and the top
  per-feature contributions (xgboost's own SHAP values, ``pred_contribs=True``, in log-odds; none for
  a Random Forest) back to the ``:Graphlet`` nodes (``cypher/predict/write``); predicting again writes
  nothing new. A pipeline whose every graphlet was predicted keeps on its ``:PipelineSummary`` the stamp it
  was predicted from (``predicted_from``: its frame key, ``FeatureFrame.groups``, the model version, its
  threshold and the number of contributions kept). With ``changed_only`` (``mlprov predict`` without
  ``--all``), a pipeline whose summary holds the stamp it would get now is not scored again, and only the
  other pipelines' rows of the frame are read (:func:`~mlprov.features.frame.frame_of_pipelines`): after a
  reload that changed one pipeline, only that pipeline's graphlets are read, predicted and written, and only
  its summaries refreshed.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.ensemble import RandomForestClassifier

from mlprov.db import Warehouse
from mlprov.errors import MlprovError
from mlprov.features.frame import (
    FeatureFrame,
    FrameKeys,
    Group,
    build_frame,
    cached_frame,
    compute_frame,
    frame_keys,
    frame_of_pipelines,
    group_label,
    group_labels,
    group_of,
)
from mlprov.features.scores import at_or_above
from mlprov.settings import mlprov_home
from mlprov.summaries import refresh_predictions

MODEL_FORMAT = "mlprov-push-model"
MODEL_FORMAT_VERSION = 1
DEFAULT_SET = "input"
TEST_SHARE = 0.2
SPLIT_TRIES = 400
CV_FOLDS = 4
GRID: tuple[dict[str, Any], ...] = (
    {"max_depth": 2, "min_child_weight": 5.0},
    {"max_depth": 4, "min_child_weight": 5.0},
    {"max_depth": 6, "min_child_weight": 10.0},
)
BASE_PARAMS: dict[str, Any] = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "tree_method": "hist",
    "eta": 0.08,
    "subsample": 0.8,
    "colsample_bytree": 0.7,
    "lambda": 1.0,
    "nthread": 1,
}
MODEL_KINDS = ("xgboost", "rf")
RF_PARAMS: dict[str, Any] = {
    "n_estimators": 150,
    "max_features": "sqrt",
    "class_weight": "balanced_subsample",
    "n_jobs": 1,
}
RF_GRID: tuple[dict[str, Any], ...] = ({"min_samples_leaf": 1}, {"min_samples_leaf": 5})
# the only type a saved forest may hold besides the ones skops trusts by default
RF_TRUSTED_TYPES = frozenset({"sklearn.tree._tree.Tree"})
MAX_ROUNDS = 400
EARLY_STOP = 40
TOP_CONTRIBUTIONS = 5
PREDICT_CHUNK = 20_000


class ModelError(MlprovError):
    """A model file is missing, unreadable or not an mlprov push model."""

    exit_code = 7


class ModelMismatchError(ModelError):
    """The model needs features the feature frame does not have (other history window, other version)."""


class SplitError(MlprovError):
    """The labelled graphlets cannot be split by pipeline (too few pipelines or one class only)."""

    exit_code = 7


# -- metrics used for tuning ------------------------------------------------------------------------


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean of the true-positive and true-negative rates (NaN when a class is absent)."""
    y = np.asarray(y).astype(bool)
    pred = np.asarray(pred).astype(bool)
    pos, neg = y.sum(), (~y).sum()
    if pos == 0 or neg == 0:
        return math.nan
    return float(0.5 * ((pred & y).sum() / pos + (~pred & ~y).sum() / neg))


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC by the rank-sum (Mann-Whitney) statistic, ties given average ranks."""
    y = np.asarray(y).astype(bool)
    s = np.asarray(score, dtype=float)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return math.nan
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def best_threshold(y: np.ndarray, score: np.ndarray) -> float:
    """The score cut (predict push when score >= cut) with the highest balanced accuracy; ties: lowest.

    Every distinct score is a candidate; the balanced accuracy of each is computed from counts
    (:func:`at_or_above`), the same integer counts and divisions as :func:`balanced_accuracy`."""
    y = np.asarray(y).astype(bool)
    s = np.asarray(score, dtype=float)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return 0.5
    thresholds = np.unique(s)
    tp = at_or_above(s[y], thresholds)
    tn = neg - at_or_above(s[~y], thresholds)
    best, best_ba = 0.5, -1.0
    for t, ba in zip(thresholds.tolist(), (0.5 * (tp / pos + tn / neg)).tolist(), strict=True):
        if ba > best_ba + 1e-12:
            best, best_ba = t, ba
    return float(best)


# -- splitting --------------------------------------------------------------------------------------


def pipeline_keys(frame: pd.DataFrame) -> pd.Series:
    return frame["store"].astype(str) + "/" + frame["pipeline"].fillna("").astype(str)


def split_by_pipeline(frame: pd.DataFrame, seed: int, test_share: float = TEST_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, test) over the labelled rows of ``frame``; pipelines never straddle.

    Among :data:`SPLIT_TRIES` random orders of the pipelines (seeded), each filled into the test side
    until it holds ``test_share`` of the graphlets, keep the one minimising
    ``|test share − wanted| / wanted + |push rate test − push rate train| / overall push rate``
    among those with both classes on both sides.
    """
    y = frame["pushed"].to_numpy(dtype=float)
    keys = pipeline_keys(frame).to_numpy()
    groups = pd.DataFrame({"key": keys, "y": y}).groupby("key", sort=True)["y"].agg(["size", "sum"])
    if len(groups) < 2:
        raise SplitError(f"need labelled graphlets from at least 2 pipelines to split, have {len(groups)}")
    names = groups.index.to_numpy()
    sizes = groups["size"].to_numpy(dtype=float)
    pos = groups["sum"].to_numpy(dtype=float)
    total, total_pos = sizes.sum(), pos.sum()
    if total_pos == 0 or total_pos == total:
        raise SplitError("the labelled graphlets are all pushed or all unpushed: nothing to learn")
    rate = total_pos / total
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for _ in range(SPLIT_TRIES):
        order = rng.permutation(len(names))
        take = np.zeros(len(names), dtype=bool)
        n = 0.0
        for i in order:
            if n >= test_share * total:
                break
            take[i] = True
            n += sizes[i]
        if take.all():
            continue
        tn, tp = sizes[take].sum(), pos[take].sum()
        rn, rp = total - tn, total_pos - tp
        if tp == 0 or tp == tn or rp == 0 or rp == rn:
            continue
        score = abs(tn / total - test_share) / test_share + abs(tp / tn - rp / rn) / rate
        if best is None or score < best[0]:
            best = (score, take.copy())
    if best is None:
        raise SplitError("no pipeline split puts both pushed and unpushed graphlets on both sides")
    test_keys = set(names[best[1]])
    test = np.array([k in test_keys for k in keys])
    return ~test, test


# -- training ---------------------------------------------------------------------------------------


@dataclass
class TrainedModel:
    """A fitted model (an xgboost booster or a Random Forest) with what it needs to be applied again."""

    booster: xgb.Booster | None
    feature_set: str
    features: list[str]
    threshold: float
    k: int
    corpus_fingerprint: str
    params: dict[str, Any]
    rounds: int
    seed: int
    train_graphlets: int
    train_pipelines: int
    validation_auc: float
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)
    forest: RandomForestClassifier | None = None

    @property
    def kind(self) -> str:
        return "xgboost" if self.forest is None else "rf"

    def model_json(self) -> bytes:
        """xgboost's JSON of the booster."""
        if self.booster is None:
            raise ModelError(f"a {self.kind} model has no xgboost JSON")
        return bytes(self.booster.save_raw(raw_format="json"))

    def model_bytes(self) -> bytes:
        """What the fitted model is: the booster's JSON, or every tree's arrays of the forest."""
        if self.forest is None:
            return self.model_json()
        out = bytearray()
        for tree in (est.tree_ for est in self.forest.estimators_):
            for arr in (
                tree.feature,
                tree.threshold,
                tree.children_left,
                tree.children_right,
                tree.value,
                tree.missing_go_to_left,
            ):
                out += np.ascontiguousarray(arr).tobytes()
        return bytes(out)

    @property
    def version(self) -> str:
        digest = hashlib.sha1(self.model_bytes(), usedforsecurity=False).hexdigest()[:12]
        prefix = "" if self.forest is None else "rf-"
        return f"{prefix}{self.feature_set}-{digest}"

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.explain(frame, contributions=False)[1]

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """SHAP values per feature (log-odds), last column the bias; all 0 for a Random Forest (none computed)."""
        return self.explain(frame)[2]

    def explain(
        self, frame: pd.DataFrame, *, contributions: bool = True
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """(the frame's features in the model's order, push probability, SHAP values per feature with the
        bias last) from one aligned copy and one matrix; without ``contributions`` (or for a Random
        Forest, which has none) the SHAP values are all 0."""
        x = align(frame, self)
        none = np.zeros((len(x), len(self.features) + 1))
        if self.forest is not None:
            return x, _forest_proba(self.forest, x), none
        assert self.booster is not None
        matrix = _dmatrix(x)
        prob = np.asarray(self.booster.predict(matrix), dtype=float)
        if not contributions:
            return x, prob, none
        return x, prob, np.asarray(self.booster.predict(matrix, pred_contribs=True), dtype=float)

    def metadata(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "kind": self.kind,
            "model_version": self.version,
            "feature_set": self.feature_set,
            "features": self.features,
            "threshold": self.threshold,
            "k": self.k,
            "corpus_fingerprint": self.corpus_fingerprint,
            "params": self.params,
            "rounds": self.rounds,
            "seed": self.seed,
            "train_graphlets": self.train_graphlets,
            "train_pipelines": self.train_pipelines,
            "validation_auc": self.validation_auc,
            "train_seconds": round(self.seconds, 3),
            "versions": _versions(),
            **self.extra,
        }


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import sklearn

    try:
        mlprov_version = version("mlprov")
    except PackageNotFoundError:
        mlprov_version = "unknown"
    return {
        "mlprov": mlprov_version,
        "xgboost": xgb.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }


def _dmatrix(x: pd.DataFrame, y: np.ndarray | None = None) -> xgb.DMatrix:
    """The rows as an xgboost matrix named by their columns (what a saved model and its predictions use)."""
    return _matrix(x.to_numpy(dtype=np.float32), y, names=list(x.columns))


def _matrix(x32: np.ndarray, y: np.ndarray | None = None, names: list[str] | None = None) -> xgb.DMatrix:
    """An xgboost matrix of float32 rows. The cross-validation matrices carry no feature names: xgboost reads
    a named matrix's names back from C and compares them on every boosting round (over half the time of the
    cross-validation fits), and the names change nothing in what is learnt."""
    return xgb.DMatrix(x32, label=y, feature_names=names, missing=np.nan, nthread=1)


def _forest_proba(forest: RandomForestClassifier, x: pd.DataFrame | np.ndarray) -> np.ndarray:
    """The forest's probability of a push (class 1.0; 0 when training saw no push). Its trees compare
    float32 values (scikit-learn converts any input to float32), so float32 rows give the same answers."""
    classes = list(forest.classes_)
    proba = forest.predict_proba(np.asarray(x, dtype=np.float32))
    return np.asarray(proba[:, classes.index(1.0)], dtype=float) if 1.0 in classes else np.zeros(len(x))


def align(frame: pd.DataFrame, model: TrainedModel) -> pd.DataFrame:
    """The frame's columns in the model's feature order.

    Architecture one-hot columns the frame lacks are 0 (no graphlet of the frame has that
    architecture); any other missing feature means the model was trained on another kind of frame.
    """
    missing = [f for f in model.features if f not in frame.columns]
    hard = [f for f in missing if not f.startswith("arch_")]
    if hard:
        shown = ", ".join(hard[:8]) + (" …" if len(hard) > 8 else "")
        raise ModelMismatchError(
            f"model {model.version} (set {model.feature_set!r}, k={model.k}) needs {len(hard)} feature(s) "
            f"the feature frame does not have: {shown}; retrain it (`mlprov train`) on this frame"
        )
    x = frame.reindex(columns=model.features)
    if missing:
        x[missing] = 0.0
    return x.astype("float64")


def _fit(
    params: dict[str, Any],
    dtrain: xgb.DMatrix,
    rounds: int,
    seed: int,
    dval: xgb.DMatrix | None = None,
) -> xgb.Booster:
    p = {**BASE_PARAMS, **params, "seed": seed}
    if dval is None:
        return xgb.train(p, dtrain, num_boost_round=rounds)
    return xgb.train(
        p,
        dtrain,
        num_boost_round=rounds,
        evals=[(dval, "validation")],
        early_stopping_rounds=EARLY_STOP,
        verbose_eval=False,
    )


def _fit_forest(params: dict[str, Any], x32: np.ndarray, y: np.ndarray, seed: int) -> RandomForestClassifier:
    """A Random Forest on the float32 rows (scikit-learn's trees convert any input to float32, so these are
    the trees float64 rows would give; missing values are routed by the trees themselves)."""
    forest = RandomForestClassifier(**RF_PARAMS, **params, random_state=seed)
    forest.fit(x32, y)
    return forest


class _Fold:
    """One cross-validation fold: the other folds' rows to fit on and the held-out rows to score, from the
    float32 rows of the training side. A forest reads them as arrays; xgboost as matrices built once for
    every parameter set of the grid (so that the fold holds no copy of the rows besides its matrices)."""

    def __init__(self, x32: np.ndarray, y: np.ndarray, held: np.ndarray, kind: str) -> None:
        self.train: tuple[np.ndarray, np.ndarray] | None = None
        self.held_x: np.ndarray | None = None
        self.dtrain: xgb.DMatrix | None = None
        self.dheld: xgb.DMatrix | None = None
        if kind == "rf":
            self.train = (x32[~held], y[~held])
            self.held_x = x32[held]
        else:
            self.dtrain = _matrix(x32[~held], y[~held])
            self.dheld = _matrix(x32[held], y[held])


def _fold_scores(kind: str, params: dict[str, Any], fold: _Fold, seed: int) -> tuple[np.ndarray, int]:
    """Scores of the held-out fold from a model fitted on the other folds, and the boosting rounds used
    (early stopping on the held-out fold; 0 for a forest)."""
    if fold.dtrain is None or fold.dheld is None:
        assert fold.train is not None and fold.held_x is not None
        return _forest_proba(_fit_forest(params, *fold.train, seed), fold.held_x), 0
    booster = _fit(params, fold.dtrain, MAX_ROUNDS, seed, dval=fold.dheld)
    r = int(booster.best_iteration) + 1
    return np.asarray(booster.predict(fold.dheld, iteration_range=(0, r)), dtype=float), r


def _take(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """These rows (by position) of these columns, copying nothing else."""
    return frame.iloc[rows, frame.columns.get_indexer(pd.Index(columns))]


def _float32_rows(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> np.ndarray:
    """These rows (by position) of these columns as one float32 array, filled a column at a time, so that no
    float64 copy of the rows exists beside it (xgboost and scikit-learn's trees both learn from float32)."""
    out = np.empty((len(rows), len(columns)), dtype=np.float32)
    for j, column in enumerate(columns):
        out[:, j] = frame[column].to_numpy()[rows]
    return out


def pipeline_folds(frame: pd.DataFrame, folds: int, seed: int) -> np.ndarray:
    """A fold number per row; all graphlets of a pipeline share a fold. Pipelines are shuffled (seeded)
    and each goes to the fold with the fewest graphlets so far, largest pipelines first."""
    keys = pipeline_keys(frame)
    sizes = keys.value_counts(sort=False)
    rng = np.random.default_rng(seed)
    shuffled = [str(key) for key in sizes.index.to_numpy()[rng.permutation(len(sizes))]]
    order = sorted(shuffled, key=lambda key: -int(sizes[key]))  # stable: ties keep the shuffled order
    load = np.zeros(folds)
    fold_of: dict[str, int] = {}
    for key in order:
        f = int(np.argmin(load))
        fold_of[str(key)] = f
        load[f] += int(sizes[key])
    return keys.map(fold_of).to_numpy(dtype=int)


def train_model(
    ff: FeatureFrame,
    feature_set: str,
    train_mask: np.ndarray,
    *,
    seed: int = 0,
    folds: int = CV_FOLDS,
    kind: str = "xgboost",
    workers: int = 1,
) -> TrainedModel:
    """Tune by pipeline-grouped cross-validation on the training rows, pick the threshold on the
    out-of-fold predictions, refit on all training rows.

    For each parameter set of the kind's grid (:data:`GRID` for xgboost, :data:`RF_GRID` for a Random
    Forest), every fold's model is trained on the other folds (xgboost with early stopping on its own
    fold); the parameter set with the best out-of-fold ROC-AUC wins (xgboost: its number of rounds is
    the median of the folds' best iterations), and the threshold maximises the balanced accuracy of
    its out-of-fold predictions. Only the training side is ever looked at.

    ``workers`` folds are fitted at once (each fit single-threaded and seeded: the model is the same for
    any number); each fold's matrices exist only while its parameter sets are fitted. The pieces are
    :class:`Training`'s, which :func:`~mlprov.features.evaluation.evaluate` schedules across many models.
    """
    t0 = time.perf_counter()
    work = Training(ff, feature_set, train_mask, seed=seed, folds=folds, kind=kind)
    if workers > 1 and len(work.folds) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:  # xgboost and scikit-learn release the GIL
            per_fold = list(pool.map(work.fit_fold, range(len(work.folds))))
    else:
        per_fold = [work.fit_fold(i) for i in range(len(work.folds))]
    model = work.finish(per_fold)
    model.seconds = time.perf_counter() - t0
    return model


class Training:
    """One model's training in independent pieces: :meth:`fit_fold` for each of :attr:`folds` (in any order,
    on any thread: each fit is single-threaded and seeded), then :meth:`finish` with their results in fold
    order (picks the parameters and threshold, refits). It holds one float32 copy of the training rows
    until :meth:`finish`; a fold's matrices exist only inside its :meth:`fit_fold`. :attr:`busy` sums the
    seconds its pieces ran (its cost on one core, whatever ran beside it)."""

    def __init__(
        self,
        ff: FeatureFrame,
        feature_set: str,
        train_mask: np.ndarray,
        *,
        seed: int = 0,
        folds: int = CV_FOLDS,
        kind: str = "xgboost",
    ) -> None:
        if kind not in MODEL_KINDS:
            raise ModelError(f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}")
        t0 = time.perf_counter()
        self.ff, self.feature_set, self.seed, self.kind = ff, feature_set, seed, kind
        self.features = ff.columns(feature_set)
        # only the columns training reads, of the training rows: one copy, not the whole frame's
        rows = ff.labelled_rows[train_mask]
        self.train = _take(ff.data, rows, ["store", "pipeline", "pushed"])
        self.x32: np.ndarray | None = _float32_rows(ff.data, rows, self.features)
        self.y = self.train["pushed"].to_numpy(dtype=float)
        fold = pipeline_folds(self.train, folds, seed + 7919)
        helds = [fold == f for f in range(int(fold.max()) + 1)]
        self.grid = RF_GRID if kind == "rf" else GRID
        self.folds = [held for held in helds if not held.all() and len(np.unique(self.y[~held])) >= 2]
        self.busy = time.perf_counter() - t0

    def fit_fold(self, i: int) -> list[tuple[np.ndarray, int]]:
        """Fold ``i``'s held-out scores and rounds for every parameter set, fitted on the same matrices."""
        t0 = time.perf_counter()
        assert self.x32 is not None, "fit_fold after finish"
        part = _Fold(self.x32, self.y, self.folds[i], self.kind)
        out = [_fold_scores(self.kind, params, part, self.seed) for params in self.grid]
        self.busy += time.perf_counter() - t0
        return out

    def finish(self, per_fold: Sequence[list[tuple[np.ndarray, int]]]) -> TrainedModel:
        """The model from every fold's :meth:`fit_fold` (in fold order): the best parameter set, its threshold
        and the refit on the whole training side. Frees the training rows."""
        t0 = time.perf_counter()
        x32, y, grid = self.x32, self.y, self.grid
        assert x32 is not None, "finish twice"
        self.x32 = None
        oofs = [np.full(len(y), np.nan) for _ in grid]
        rounds: list[list[int]] = [[] for _ in grid]
        for held, fitted in zip(self.folds, per_fold, strict=True):
            for i, (scores, r) in enumerate(fitted):
                oofs[i][held] = scores
                rounds[i].append(r)
        best: tuple[float, dict[str, Any], int, np.ndarray] | None = None
        for params, oof, used in zip(grid, oofs, rounds, strict=True):
            ok = ~np.isnan(oof)
            if not used or len(np.unique(y[ok])) < 2:
                raise SplitError("cross-validation folds of the training side lack one of the classes")
            auc = roc_auc(y[ok], oof[ok])
            if best is None or auc > best[0] + 1e-12:
                best = (auc, params, max(1, int(np.median(used))), oof)
        assert best is not None
        auc, params, n_rounds, oof = best
        ok = ~np.isnan(oof)
        common: dict[str, Any] = {
            "feature_set": self.feature_set,
            "features": self.features,
            "threshold": best_threshold(y[ok], oof[ok]),
            "k": self.ff.k,
            "corpus_fingerprint": self.ff.fingerprint,
            "seed": self.seed,
            "train_graphlets": len(self.train),
            "train_pipelines": int(pipeline_keys(self.train).nunique()),
            "validation_auc": auc,
        }
        if self.kind == "rf":
            forest = _fit_forest(params, x32, y, self.seed)
            self.busy += time.perf_counter() - t0
            return TrainedModel(
                booster=None,
                forest=forest,
                params={**RF_PARAMS, **params, "random_state": self.seed},
                rounds=0,
                seconds=self.busy,
                **common,
            )
        booster = _fit(params, _matrix(x32, y, names=self.features), n_rounds, self.seed)
        self.busy += time.perf_counter() - t0
        return TrainedModel(
            booster=booster,
            params={**BASE_PARAMS, **params, "seed": self.seed},
            rounds=n_rounds,
            seconds=self.busy,
            **common,
        )


# -- saving and loading -----------------------------------------------------------------------------

MODEL_SUFFIXES = (".xgb.json", ".rf.skops", ".meta.json")


def models_dir() -> Path:
    return mlprov_home() / "models"


def model_paths(base: Path) -> tuple[Path, Path]:
    """(booster JSON, metadata JSON) for a model base path or any of its files."""
    stem = _base_name(base)
    return base.with_name(stem + ".xgb.json"), base.with_name(stem + ".meta.json")


def forest_path(base: Path) -> Path:
    """The skops file of a Random Forest for a model base path or any of its files."""
    return base.with_name(_base_name(base) + ".rf.skops")


def _base_name(base: Path) -> str:
    name = base.name
    for suffix in MODEL_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def save_model(model: TrainedModel, base: Path | None = None) -> Path:
    """Write ``<base>.xgb.json`` (xgboost's JSON) or ``<base>.rf.skops`` (a Random Forest) and
    ``<base>.meta.json``; return the metadata path.

    Without ``base``: ``$MLPROV_HOME/models/[rf-]<set>-s<seed>-<fingerprint[:10]>``, also recorded as
    the latest model in ``models/latest``.
    """
    if base is None:
        prefix = "" if model.forest is None else "rf-"
        base = models_dir() / f"{prefix}{model.feature_set}-s{model.seed}-{model.corpus_fingerprint[:10]}"
        default = True
    else:
        default = False
    booster_path, meta_path = model_paths(base)
    booster_path.parent.mkdir(parents=True, exist_ok=True)
    if model.forest is not None:
        import skops.io

        model_file = forest_path(base)
        skops.io.dump(model.forest, model_file)
    else:
        model_file = booster_path
        model_file.write_bytes(model.model_json())
    meta = model.metadata()
    meta["model_file"] = model_file.name
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    if default:
        (models_dir() / "latest").write_text(meta_path.name + "\n")
    return meta_path


def default_model_path() -> Path:
    latest = models_dir() / "latest"
    if not latest.exists():
        raise ModelError(f"no model trained yet in {models_dir()}: run `mlprov train` or pass --model PATH")
    return models_dir() / latest.read_text().strip()


def _load_forest(path: Path, features: list[str]) -> RandomForestClassifier:
    """A forest from its skops file, trusting no type beyond skops' defaults and :data:`RF_TRUSTED_TYPES`."""
    import skops.io

    try:
        untrusted = set(skops.io.get_untrusted_types(file=path))
        if not untrusted <= RF_TRUSTED_TYPES:
            raise ModelError(f"{path} holds types a push model never has: {', '.join(sorted(untrusted))}")
        forest = skops.io.load(path, trusted=sorted(untrusted))
    except ModelError:
        raise
    except Exception as exc:  # a damaged zip, a foreign file: skops raises many kinds
        raise ModelError(
            f"cannot read model {path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    if not isinstance(forest, RandomForestClassifier) or int(forest.n_features_in_) != len(features):
        raise ModelMismatchError(f"{path}: not a Random Forest over the {len(features)} features of its metadata")
    return forest


def load_model(path: Path | None = None) -> TrainedModel:
    """Read a model saved by :func:`save_model` (JSON and skops only: a model file is data, never code)."""
    booster_path, meta_path = model_paths(path or default_model_path())
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read model metadata {meta_path}: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise ModelError(f"{meta_path} is not an mlprov push model (format {MODEL_FORMAT!r})")
    if int(meta.get("format_version", 0)) > MODEL_FORMAT_VERSION:
        raise ModelError(f"{meta_path} was written by a newer mlprov (format {meta.get('format_version')})")
    features = [str(f) for f in meta["features"]]
    booster: xgb.Booster | None = None
    forest: RandomForestClassifier | None = None
    if meta.get("kind", "xgboost") == "rf":
        forest = _load_forest(forest_path(meta_path), features)
    else:
        booster = xgb.Booster()
        try:
            booster.load_model(str(booster_path))
        except (OSError, xgb.core.XGBoostError) as exc:
            raise ModelError(f"cannot read model {booster_path}: {str(exc).splitlines()[0]}") from None
        if list(booster.feature_names or []) != features:
            raise ModelMismatchError(f"{booster_path}: the booster's features differ from its metadata's feature list")
    return TrainedModel(
        booster=booster,
        forest=forest,
        feature_set=str(meta["feature_set"]),
        features=features,
        threshold=float(meta["threshold"]),
        k=int(meta["k"]),
        corpus_fingerprint=str(meta["corpus_fingerprint"]),
        params=dict(meta.get("params", {})),
        rounds=int(meta.get("rounds", 0)),
        seed=int(meta.get("seed", 0)),
        train_graphlets=int(meta.get("train_graphlets", 0)),
        train_pipelines=int(meta.get("train_pipelines", 0)),
        validation_auc=float(meta.get("validation_auc", math.nan)),
        seconds=float(meta.get("train_seconds", 0.0)),
    )


# -- prediction -------------------------------------------------------------------------------------


@dataclass
class Prediction:
    uid: str
    pipeline: str | None
    pushed: float
    push_probability: float
    push_decision: bool
    contributions: list[dict[str, Any]]


class Predicted(NamedTuple):
    """What :func:`predict` did: the predictions kept, how many were written back changed, how many scored."""

    predictions: list[Prediction]
    changed: int
    scored: int


def top_contributions(model: TrainedModel, x: pd.DataFrame, contribs: np.ndarray, n: int) -> list[list[dict[str, Any]]]:
    out: list[list[dict[str, Any]]] = []
    values = x.to_numpy(dtype=float)
    for row, c in zip(values, contribs, strict=True):
        order = np.argsort(-np.abs(c[:-1]), kind="stable")[:n]
        out.append(
            [
                {
                    "feature": model.features[i],
                    "value": None if math.isnan(row[i]) else round(float(row[i]), 6),
                    "contribution": round(float(c[i]), 6),
                }
                for i in order
                if c[i] != 0.0
            ]
        )
    return out


def prediction_stamps(groups: dict[Group, str], model: TrainedModel, top: int) -> dict[str, str]:
    """Each pipeline group's stamp (label as :func:`~mlprov.features.frame.group_labels` gives it): what
    its predictions are computed from, its frame key (``groups``: ``FeatureFrame.groups``) and the model.
    Empty when the frame has no per-pipeline keys (a frame computed for a selection only)."""
    version = model.version  # a hash of the whole model: computed once, not per pipeline
    return {
        group_label(group): hashlib.sha1(
            json.dumps([key, version, model.threshold, model.k, top]).encode(), usedforsecurity=False
        ).hexdigest()[:20]
        for group, key in groups.items()
    }


def current_groups(wh: Warehouse, stamps: dict[str, str]) -> set[str]:
    """The pipeline groups whose last prediction was made, for every graphlet, from the stamp they would get
    now: the stamp recorded on their summaries (``predict/stamps``)."""
    out = set()
    for store, pipeline, found in wh.read("predict/stamps")[0]["pipelines"]:
        label = group_label((str(store), str(pipeline)))
        if found is not None and stamps.get(label) == found:
            out.add(label)
    return out


def predict(
    wh: Warehouse,
    model: TrainedModel,
    *,
    uids: Sequence[str] | None = None,
    pipeline: str | None = None,
    top: int = TOP_CONTRIBUTIONS,
    ff: FeatureFrame | None = None,
    keys: FrameKeys | None = None,
    keep: int | None = None,
    changed_only: bool = False,
) -> Predicted:
    """Predict the selected graphlets (all when nothing is selected) and write them back.

    ``changed_only`` skips the pipelines whose predictions were made from the same features by the same
    model (module docstring); without a frame, only those pipelines' rows are read (``keys``: the frame's
    keys, :func:`~mlprov.features.frame.frame_keys`, read when not given). With ``keep`` only the first
    ``keep`` predictions are returned (every one is written back): a prediction of the whole corpus then holds
    no Python objects per graphlet."""
    selected = bool(uids) or pipeline is not None
    current: set[str] | None = None
    if ff is None and selected:
        # a selection: the cached corpus frame when there is one, else only the selected rows
        ff = cached_frame(wh, k=model.k)
        if ff is None:
            chosen = compute_frame(wh, k=model.k, pipeline=pipeline, uids=list(uids) if uids else None)
            ff = FeatureFrame(chosen, "", model.k)
    elif ff is None and changed_only:
        keys = keys or frame_keys(wh, model.k)
        current = current_groups(wh, prediction_stamps(keys.groups, model, top))
        stale = [g for g in keys.groups if group_label(g) not in current]
        ff = frame_of_pipelines(wh, keys, stale, k=model.k)
    ff = ff or build_frame(wh, k=model.k)
    data = ff.data
    if uids:
        missing = sorted(set(uids) - set(data["uid"]))
        if missing:
            raise ModelError(f"no graphlet {', '.join(missing[:5])} in the warehouse (see `mlprov graphlets`)")
        data = data[data["uid"].isin(list(uids))]
    if pipeline is not None:
        data = data[data["pipeline"] == pipeline]
        if data.empty:
            raise ModelError(f"no graphlet of pipeline {pipeline!r} in the warehouse")
    stamps = prediction_stamps(ff.groups, model, top)
    labels = group_labels(data)
    if changed_only and stamps:
        fresh = ~labels.isin(current_groups(wh, stamps) if current is None else current)
        data, labels = data[fresh], labels[fresh]
    if data.empty:
        return Predicted([], 0, 0)
    version = model.version
    preds: list[Prediction] = []
    changed = 0
    # a chunk of rows at a time: the aligned features, the SHAP values and the rows written exist for one chunk
    # only (each row's prediction and contributions are its own, whatever else is in the chunk)
    for start in range(0, len(data), PREDICT_CHUNK):
        part = data.iloc[start : start + PREDICT_CHUNK]
        x, prob, contribs = model.explain(part)
        tops = top_contributions(model, x, contribs, top)
        done = [
            Prediction(
                str(u),
                None if p is None or (isinstance(p, float) and math.isnan(p)) else str(p),
                float(lbl),
                float(pr),
                bool(pr >= model.threshold),
                tp,
            )
            for u, p, lbl, pr, tp in zip(part["uid"], part["pipeline"], part["pushed"], prob, tops, strict=True)
        ]
        rows = [
            {
                "uid": p.uid,
                "push_probability": p.push_probability,
                "push_decision": p.push_decision,
                "model_version": version,
                "contributions": json.dumps(p.contributions, separators=(",", ":")),
            }
            for p in done
        ]
        changed += sum(int(r["changed"]) for r in wh.write_rows("predict/write", rows, batch=1000))
        preds.extend(done[: max(0, keep - len(preds))] if keep is not None else done)
    # the app's summaries: latest prediction per pipeline, and the stamp of each pipeline whose every graphlet
    # was just predicted (none for chosen graphlets: their pipelines' stamps are removed)
    recorded = {} if uids else {group_of(label): stamps.get(label, "") for label in labels.unique()}
    refresh_predictions(wh, [str(u) for u in data["uid"]], recorded)
    return Predicted(preds, changed, len(data))
