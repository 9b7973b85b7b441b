"""The feature frame of the push predictor (docs/predictor.md): one row per model graphlet.

Everything graph-shaped is computed by Cypher (``cypher/features/``): the per-graphlet part
(``features/rows``: label, costs, model type, shape per operator kind, validation outcomes) and the
history part (``features/history``: each graphlet's k preceding graphlets along ``:NEXT`` and whether
each one's push outcome was known in time; ``features/spans``: each graphlet's code version, input
span set and statistics artifacts, read once per graphlet). Python pairs each graphlet's lists with
its predecessors' (:func:`history`: Jaccard of the span sets, code change, the ordinal pairing of
spans for the dataset similarity), parses the recorded per-feature statistics (JSON text, which
Cypher cannot parse without plugins) and turns rows into columns.

Columns
-------
Meta (never features): ``uid, store, pipeline, trainer_uid, trainer_state, started, ended, pushed``
(1.0 / 0.0 / NaN when undecided), ``cost`` and ``cost_before_<set>`` (graphlet compute that must
have run before the features of ``<set>`` exist).

Features (groups):

* ``model``: ``model_type_<T>`` one-hot over :data:`MODEL_TYPES` (``Other`` for any other recorded
  value, ``unknown`` when the trainer records none) and ``arch_<architecture>`` one-hot over the
  architectures seen in the corpus.
* ``history`` (lag i = 1..k, the i-th preceding graphlet of the same pipeline): ``jaccard_<i>``
  (|A ∩ B| / |A ∪ B| of the distinct spans of the Examples artifacts of the two graphlets),
  ``dataset_similarity_<i>`` (:func:`dataset_similarity`), ``code_changed_<i>`` (1 when the
  trainers' code versions differ, 0 when equal) and ``prev_pushed_<i>`` (the predecessor's push
  outcome, 1/0, only when it was known before g's own executions started), and, over up to 100
  predecessors (``features/push_history``): ``since_push`` (lag of the nearest known push),
  ``hours_since_push`` (from that push's end to g's own start) and ``push_rate`` (share pushed among
  the known outcomes). When each predecessor ended against g's own start is a fact the graphlet builder
  records from its member sets (``own_start``, ``prev_in_time``: graphlets/builder.py); a frame of
  graphlets built without it is refused. The push-outcome features are an addition to the study's feature list: what a
  scheduler knows about the pipeline's recent pushes before launching g. Missing history — the first
  graphlets of a pipeline, a predecessor without spans or statistics, an unknown code version, an
  outcome not known yet — is NaN, never 0.
* ``pre`` / ``trainer`` / ``post`` shape: for each operator kind of the group
  (pre-trainer: ExampleGen, StatisticsGen, SchemaGen, ExampleValidator, Transform, Tuner and
  Custom; trainer: Trainer; post-trainer: Evaluator, InfraValidator, ModelValidator, Pusher)
  ``<group>_<Kind>_n`` (executions of that kind in the graphlet, 0 when none),
  ``<group>_<Kind>_in`` / ``_out`` (mean INPUT / OUTPUT edges per execution; NaN when n = 0).
* ``validation`` outcomes: ``val_model_blessed`` / ``val_infra_blessed``, the mean ``blessed`` flag
  of the ModelBlessing / InfraBlessing artifacts written by the graphlet's post-trainer executions
  (NaN when there is none). This is what model validation decided — the study's "validation"
  features, an upper bound since the push follows it.

Feature sets, cheapest first (the registry, features/registry.py): ``input`` (model + history), ``input_pre``
(+ pre-trainer shape), ``input_pre_trainer`` (+ trainer shape), ``validation`` (+ post-trainer
shape + validation outcomes); ablations ``history``, ``shape`` (pre + trainer + post shape) and
``model_type`` (model group alone), and ``input_study`` (``input`` without the push-outcome
features: the study's input features only). Each set's decision point (``FeatureSet.decision``) says which
operator kinds must have run before its features exist; its feature cost is that compute's share
of all graphlet compute (each execution's cost shared among the graphlets holding it).

Dataset similarity
------------------
Spans are paired by ordinal position: the i-th smallest span of g with the i-th smallest span of
the predecessor g' (i < min(|spans g|, |spans g'|)). A pair is compared through the per-feature
summary statistics recorded on the spans' ExampleStatistics artifacts (``feature_stats``:
``{"<feature>": {"mean": μ, "std": σ}}``): each feature present on both sides scores the
Bhattacharyya coefficient of the two normals N(μ₁, σ₁²) and N(μ₂, σ₂²)::

    BC = sqrt(2 σ₁ σ₂ / (σ₁² + σ₂²)) · exp(-(μ₁ - μ₂)² / (4 (σ₁² + σ₂²)))

(1 for identical summaries, → 0 as they separate; with σ₁ = σ₂ = 0 it is 1 when μ₁ = μ₂ else 0), a
categorical feature (``{"unique": n}``, from TFDV files) scores smaller / larger unique count, a feature
recorded on only one side or with another type scores 0, and the pair's similarity is the mean over
the union of features. Without a ``feature_stats`` property the statistics come from the artifact's
TFDV file under its URI (features/tfdv.py; ``mlprov features --artifact-root`` remaps moved paths).
The dataset similarity is the mean over the pairs where both spans have statistics; NaN
when no pair has.

Cache
-----
Frames are cached as parquet under ``$MLPROV_HOME/features/`` keyed by the corpus fingerprint: a
hash of every pipeline's key (below), each a hash of its graphlets' uid, signature, label, cost and
predecessor (``features/fingerprint``), the history window k and :data:`FRAME_VERSION`. Any graphlet
rebuild that changes what a feature depends on changes the key.

Behind that whole-frame file the rows are also kept per pipeline (``features/parts/k<k>/``): a
graphlet's features depend only on the graphlets of its own pipeline (its history runs along
``:NEXT``, which links a pipeline's graphlets), so each pipeline has its own key, the same hash over
only its graphlets (:class:`FrameKeys`). When the corpus changed, only the pipelines whose key changed
are computed; every other pipeline's rows are read from the part file that holds them under their
current key, and the frame is put together in the order a full computation gives. ``--no-cache``
(``use_cache=False``) computes every pipeline again. An index per k maps each key to its part file;
a part file no current key points to is deleted.

The keys themselves are not read from every graphlet each time: each pipeline's key is kept with the write
time of its ``:PipelineSummary`` (``features/parts/k<k>/keys.json``), which `mlprov graphlets` rewrites for
every pipeline whose graphlets it rebuilt, re-costed or relinked; only the pipelines whose summary was
rewritten since are read again (``features/pipeline_marks``, ``features/fingerprint_of_pipelines``), and
every graphlet of a store whose summaries cannot tell (a build under way or not finished since its load,
graphlets without a pipeline or without a summary). The lag-1 similarities on ``:NEXT``
(:func:`write_next_similarity`) are written for the pipelines read or computed (``FeatureFrame.touched``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from mlprov.db import Warehouse
from mlprov.errors import MlprovError
from mlprov.features.registry import GROUPS, SETS, SHAPE_GROUPS, query_groups
from mlprov.features.tfdv import StatisticsReader, stored_roots
from mlprov.graphlets.builder import HISTORY_LAGS
from mlprov.loader.operators import CATEGORIES
from mlprov.queries import query
from mlprov.settings import mlprov_home, parallel_workers, replace_text

FRAME_VERSION = "5"
DEFAULT_K = 3
MAX_K = HISTORY_LAGS  # the graphlet builder records whether each of that many predecessors ended in time
CHUNK = 500
T = TypeVar("T")

MODEL_TYPES = ("DNN", "Linear", "Tree", "DNN+Linear", "Ensemble", "Other", "unknown")
HISTORY_FEATURES = ("jaccard", "dataset_similarity", "code_changed", "prev_pushed")
PUSH_HISTORY = ("since_push", "hours_since_push", "push_rate")
META_COLUMNS = ("uid", "store", "pipeline", "trainer_uid", "trainer_state", "started", "ended", "pushed", "cost")


class FrameError(MlprovError):
    """The feature frame cannot be built (no graphlets, bad history window, unreadable cache)."""

    exit_code = 7


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _safe(name: str) -> str:
    """A feature-name-safe token (xgboost refuses '[', ']' and '<')."""
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", name)


# -- dataset similarity ---------------------------------------------------------------------------


def feature_similarity(mean1: float, std1: float, mean2: float, std2: float) -> float:
    """Bhattacharyya coefficient of N(mean1, std1²) and N(mean2, std2²), in [0, 1]."""
    s1, s2 = abs(std1), abs(std2)
    var = s1 * s1 + s2 * s2
    if var == 0.0:
        return 1.0 if mean1 == mean2 else 0.0
    return math.sqrt(2.0 * s1 * s2 / var) * math.exp(-((mean1 - mean2) ** 2) / (4.0 * var))


def _summary_similarity(x: dict[str, float], y: dict[str, float]) -> float:
    """One feature's two summaries: numeric (mean, std) by :func:`feature_similarity`, categorical
    (unique values) by the ratio of the smaller to the larger count; a feature that changed type scores 0."""
    if "unique" in x or "unique" in y:
        if "unique" not in x or "unique" not in y:
            return 0.0
        hi = max(x["unique"], y["unique"])
        return 1.0 if hi == 0 else min(x["unique"], y["unique"]) / hi
    return feature_similarity(float(x["mean"]), float(x["std"]), float(y["mean"]), float(y["std"]))


def span_similarity(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> float:
    """Mean per-feature similarity over the union of features (one-sided features score 0), summed in name
    order: a set's order changes with the process's string hashing, and with it the last bits of the sum."""
    names = set(a) | set(b)
    if not names:
        return math.nan
    return sum(_summary_similarity(a[f], b[f]) for f in sorted(names) if f in a and f in b) / len(names)


def dataset_similarity(pairs: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]]) -> float:
    """Mean span similarity over ordinal span pairs where both spans have statistics; NaN if none."""
    return _mean_similarity([span_similarity(a, b) for a, b in pairs if a is not None and b is not None])


def _mean_similarity(scores: Sequence[float]) -> float:
    kept = [s for s in scores if not math.isnan(s)]
    return float(np.mean(kept)) if kept else math.nan


class _PairSimilarities:
    """:func:`dataset_similarity` over pairs of ExampleStatistics uids, each span pair scored once: consecutive
    graphlets share most spans, so the same pair recurs for every lag and every later graphlet."""

    def __init__(self, stats: dict[str, dict[str, dict[str, float]] | None]) -> None:
        self.stats = stats
        self.scores: dict[tuple[str, str], float | None] = {}

    def score(self, a: str | None, b: str | None) -> float | None:
        """The pair's span similarity, None when either side has no statistics."""
        if not a or not b:
            return None
        key = (a, b)
        if key not in self.scores:
            x, y = self.stats.get(a), self.stats.get(b)
            self.scores[key] = None if x is None or y is None else span_similarity(x, y)
        return self.scores[key]

    def dataset(self, pairs: Sequence[Sequence[str | None]]) -> float:
        scores = [self.score(a, b) for a, b in pairs]
        return _mean_similarity([s for s in scores if s is not None])


def _parse_stats(text: Any) -> dict[str, dict[str, float]] | None:
    if text is None:
        return None
    try:
        data = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    out: dict[str, dict[str, float]] = {}
    for name, s in data.items():
        if isinstance(s, dict) and isinstance(s.get("mean"), int | float) and isinstance(s.get("std"), int | float):
            out[str(name)] = {"mean": float(s["mean"]), "std": float(s["std"])}
    return out


# -- the frame ------------------------------------------------------------------------------------


Group = tuple[str, str]  # (store, pipeline; "" for graphlets in none): the unit of the frame's cache


@dataclass
class FeatureFrame:
    """The frame plus what it was computed from."""

    data: pd.DataFrame
    fingerprint: str
    k: int
    cached: bool = False
    statistics: StatisticsReader | None = None  # the statistics files read while computing (not cached)
    groups: dict[Group, str] = field(default_factory=dict)  # each pipeline's key (FrameKeys.groups)
    computed: int | None = None  # graphlets whose rows were computed (None: the whole frame came from the cache)
    # pipelines whose graphlets were read or whose rows were computed this time (the others' are as last time)
    touched: set[Group] = field(default_factory=set)

    def columns(self, feature_set: str) -> list[str]:
        return feature_columns(self.data, feature_set, self.k)

    @property
    def labelled(self) -> pd.DataFrame:
        """Every column of the labelled rows (a copy)."""
        return self.data[self.data["pushed"].notna()]

    @property
    def labelled_rows(self) -> np.ndarray:
        """Positions in ``data`` of the labelled rows (``pushed`` known)."""
        return np.flatnonzero(self.data["pushed"].notna().to_numpy())

    def touched_rows(self) -> pd.DataFrame:
        """The rows of the pipelines whose graphlets were read or whose rows were computed this time."""
        return self.data[group_labels(self.data).isin([group_label(g) for g in self.touched])]

    def labelled_columns(self, columns: Sequence[str]) -> pd.DataFrame:
        """These columns of the labelled rows: a copy of them alone, not of the whole frame."""
        return self.data.iloc[self.labelled_rows, self.data.columns.get_indexer(pd.Index(list(columns)))]


def group_columns(frame: pd.DataFrame, group: str, k: int) -> list[str]:
    spec = GROUPS.get(group)
    if spec is not None and spec.query is not None:
        return list(spec.columns)
    if group == "model":
        arch = sorted(c for c in frame.columns if c.startswith("arch_"))
        return [f"model_type_{_safe(t)}" for t in MODEL_TYPES] + arch
    if group == "history":
        return [f"{name}_{i}" for i in range(1, k + 1) for name in HISTORY_FEATURES] + list(PUSH_HISTORY)
    if group == "history_study":
        return [f"{name}_{i}" for i in range(1, k + 1) for name in HISTORY_FEATURES if name != "prev_pushed"]
    if group in SHAPE_GROUPS:
        return [f"{group}_{kind}_{m}" for kind in SHAPE_GROUPS[group] for m in ("n", "in", "out")]
    raise FrameError(f"unknown feature group {group!r}")


def feature_columns(frame: pd.DataFrame, feature_set: str, k: int) -> list[str]:
    """The feature columns of a set, in a fixed order."""
    if feature_set not in SETS:
        raise FrameError(f"unknown feature set {feature_set!r}; choose one of {', '.join(SETS)}")
    return [c for g in SETS[feature_set].groups for c in group_columns(frame, g, k)]


def feature_cost(frame: pd.DataFrame, feature_set: str) -> float:
    """Share of all graphlet compute that must run before the set's features exist."""
    total = float(frame["cost"].sum())
    return float(frame[f"cost_before_{feature_set}"].sum()) / total if total > 0 else 0.0


@dataclass
class FrameKeys:
    """What the frame of the current corpus depends on: ``fingerprint`` over every pipeline's key (the whole
    frame's key), ``count`` graphlets, ``groups``: each pipeline's key, a hash over its graphlets only, and
    ``counts``: each pipeline's graphlets. ``uids`` holds the graphlets (by uid) of the pipelines whose keys
    were read from their graphlets this time (the others' keys were kept: :class:`_Marks`)."""

    fingerprint: str
    count: int
    groups: dict[Group, str]
    counts: dict[Group, int] = field(default_factory=dict)
    uids: dict[Group, list[str]] = field(default_factory=dict)


class _Marks:
    """Each pipeline's frame key as last computed, with the write time of its :PipelineSummary then
    (``features/pipeline_marks``): a pipeline whose summary was not rewritten since keeps its key, so only
    the pipelines that `mlprov graphlets` touched are read again. Kept beside the parts of history window k;
    the keys' common part (version, k, artifact roots, group queries) is recorded with them, and a change of it
    drops them all."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, common: str) -> dict[Group, tuple[int, str, int]]:
        """(summary write time, key, graphlets) per pipeline, for keys computed with this common part."""
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("common") != common:
            return {}
        return {(str(s), str(p)): (int(at), str(key), int(n)) for s, p, at, key, n in data.get("groups", [])}

    def write(self, common: str, marks: dict[Group, tuple[int, str, int]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows = sorted([s, p, at, key, n] for (s, p), (at, key, n) in marks.items())
        replace_text(self.path, json.dumps({"common": common, "groups": rows}))


def _common_key(k: int) -> Any:
    """The hash every pipeline's key starts from: frame version, k, artifact roots, the group queries."""
    h = hashlib.sha1(f"{FRAME_VERSION}:{k}".encode(), usedforsecurity=False)
    roots = stored_roots()
    if roots:
        h.update(json.dumps(roots).encode())
    for g in query_groups():  # a group's columns are what its query says: its text is part of the key
        h.update(json.dumps([g.name, g.columns, query(str(g.query)).text]).encode())
    return h


def _uids(rows: Sequence[Sequence[Any]]) -> dict[Group, list[str]]:
    """``features/fingerprint`` rows' graphlets (uids, in the rows' order) per pipeline."""
    out: dict[Group, list[str]] = {}
    for uid, *_, store, pipeline in rows:
        out.setdefault((str(store), "" if pipeline is None else str(pipeline)), []).append(str(uid))
    return out


def _hash_rows(common: Any, rows: Sequence[Sequence[Any]]) -> dict[Group, str]:
    """Each pipeline's key over its ``features/fingerprint`` rows (in uid order)."""
    per_group: dict[Group, Any] = {}
    for uid, signature, pushed, cost, previous, store, pipeline in rows:
        cost = None if cost is None else round(float(cost), 6)
        group = (str(store), "" if pipeline is None else str(pipeline))
        if group not in per_group:
            per_group[group] = common.copy()
        per_group[group].update(json.dumps([uid, signature, pushed, cost, previous]).encode())
    return {g: x.hexdigest()[:20] for g, x in per_group.items()}


def _fingerprint_rows(wh: Warehouse, groups: Sequence[Group]) -> list[list[Any]]:
    """``features/fingerprint_of_pipelines``: the rows of these (named) pipelines' graphlets."""
    rows = [{"store": s, "pipeline": p} for s, p in groups]
    return list(wh.read("features/fingerprint_of_pipelines", groups=rows)[0]["graphlets"])


def frame_keys(wh: Warehouse, k: int) -> FrameKeys:
    """The keys of the frame (the artifact roots statistics files are read from included). Only the graphlets
    of pipelines whose summary was rewritten since the last call are read (:class:`_Marks`), and every
    graphlet of a store whose summaries cannot tell (``features/pipeline_marks``)."""
    common = _common_key(k)
    base = common.hexdigest()
    marks = _Marks(cache_dir() / "parts" / f"k{k}" / "keys.json")
    known = marks.read(base)
    keys: dict[Group, str] = {}
    counts: dict[Group, int] = {}
    uids: dict[Group, list[str]] = {}
    kept: dict[Group, tuple[int, str, int]] = {}
    stale: list[Group] = []
    written: dict[Group, int] = {}

    def add(rows: Sequence[Sequence[Any]]) -> None:
        keys.update(_hash_rows(common, rows))
        members = _uids(rows)
        uids.update(members)
        counts.update({g: len(m) for g, m in members.items()})

    for st in wh.read("features/pipeline_marks"):
        store = str(st["store"])
        if not st["trusted"]:
            add(wh.read("features/fingerprint", store=store)[0]["graphlets"])
            continue
        for pipeline, at, n in st["pipelines"]:
            if not n:
                continue
            group = (store, str(pipeline))
            written[group] = int(at)
            old = known.get(group)
            if old is not None and old[0] == int(at):
                keys[group], counts[group] = old[1], old[2]
                kept[group] = old
            else:
                stale.append(group)
    for part in chunks(stale, CHUNK):
        add(_fingerprint_rows(wh, part))
    kept.update({g: (written[g], keys[g], counts[g]) for g in stale if g in keys})
    if kept != known:
        marks.write(base, kept)
    whole = common.copy()
    for group in sorted(keys):
        whole.update(json.dumps([*group, keys[group]]).encode())
    return FrameKeys(whole.hexdigest(), sum(counts.values()), keys, counts, uids)


def corpus_fingerprint(wh: Warehouse, k: int) -> tuple[str, int]:
    """Hash of everything the frame depends on, and the number of graphlets (:func:`frame_keys`)."""
    keys = frame_keys(wh, k)
    return keys.fingerprint, keys.count


def cache_dir() -> Path:
    return mlprov_home() / "features"


def read_frame(path: Path) -> pd.DataFrame:
    """A frame written by :func:`build_frame`. Arrow frees each column once pandas holds it (``self_destruct``,
    one block per column), so the read peaks at about the frame's size plus one column, not twice the frame."""
    return pd.read_parquet(path, engine="pyarrow", to_pandas_kwargs={"self_destruct": True, "split_blocks": True})


def cached_frame(wh: Warehouse, *, k: int = DEFAULT_K) -> FeatureFrame | None:
    """The cached frame of the current corpus, or None when it has not been computed yet."""
    keys = frame_keys(wh, k)
    path = cache_dir() / f"frame-{keys.fingerprint[:20]}.parquet"
    try:
        if path.exists():
            return FeatureFrame(
                read_frame(path), keys.fingerprint, k, cached=True, groups=keys.groups, touched=set(keys.uids)
            )
    except (OSError, ValueError):
        pass
    return None


def build_frame(
    wh: Warehouse,
    *,
    k: int = DEFAULT_K,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> FeatureFrame:
    """The feature frame of every graphlet of the warehouse: from the cache when the corpus is unchanged,
    else with only the pipelines whose key changed computed (all of them without ``use_cache``)."""
    if not 1 <= k <= MAX_K:
        raise FrameError(f"history window k must be between 1 and {MAX_K}, got {k}")
    keys = _with_graphlets(frame_keys(wh, k))
    path = cache_dir() / f"frame-{keys.fingerprint[:20]}.parquet"
    if use_cache and path.exists():
        try:
            return FeatureFrame(
                read_frame(path), keys.fingerprint, k, cached=True, groups=keys.groups, touched=set(keys.uids)
            )
        except (OSError, ValueError):
            pass  # unreadable cache: recompute and overwrite
    reader = StatisticsReader(stored_roots())
    parts = _Parts(cache_dir() / "parts" / f"k{k}")
    kept = parts.read(keys.groups) if use_cache else []
    have = {g for frame in kept for g in _groups(frame)}
    fresh = sorted(set(keys.groups) - have, key=_listing_order)
    fresh_uids = [u for uids in _uids_of(wh, keys, fresh).values() for u in uids]
    computed = (
        compute_frame(wh, k=k, uids=fresh_uids if have else None, progress=progress, reader=reader) if fresh else None
    )
    data = _in_listing_order(_to_frame([*kept, *([] if computed is None else [computed])], k))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data.to_parquet(tmp, index=False)
    tmp.replace(path)
    if computed is not None:  # after the whole frame: a part is never the only record of what was computed
        parts.write(computed, keys.groups)
    return FeatureFrame(
        data,
        keys.fingerprint,
        k,
        cached=False,
        statistics=reader,
        groups=keys.groups,
        computed=len(fresh_uids),
        touched=set(keys.uids) | set(fresh),
    )


def _with_graphlets(keys: FrameKeys) -> FrameKeys:
    if keys.count == 0:
        raise FrameError("the warehouse has no graphlets: run `mlprov load` and `mlprov graphlets` first")
    return keys


def frame_of_pipelines(wh: Warehouse, keys: FrameKeys, groups: Sequence[Group], k: int = DEFAULT_K) -> FeatureFrame:
    """The frame's rows of these pipelines only, the same as a whole frame's rows of them: read from the parts
    that hold them under their current keys (``keys``: :func:`frame_keys` with this k), the others computed
    (and kept as a part). `mlprov predict` reads this way the rows of the pipelines it scores again."""
    _with_graphlets(keys)
    parts = _Parts(cache_dir() / "parts" / f"k{k}")
    wanted = {g: keys.groups[g] for g in groups}
    kept = parts.read(wanted) if wanted else []
    fresh = sorted(set(wanted) - {g for frame in kept for g in _groups(frame)}, key=_listing_order)
    fresh_uids = [u for uids in _uids_of(wh, keys, fresh).values() for u in uids]
    computed = compute_frame(wh, k=k, uids=fresh_uids) if fresh_uids else None
    if computed is not None:
        parts.write(computed, keys.groups)
    frames = [*kept, *([] if computed is None else [computed])]
    data = _in_listing_order(_to_frame(frames, k))
    return FeatureFrame(data, keys.fingerprint, k, groups=keys.groups, computed=len(fresh_uids))


def _uids_of(wh: Warehouse, keys: FrameKeys, groups: Sequence[Group]) -> dict[Group, list[str]]:
    """The graphlets of these pipelines: as their keys were read (``keys.uids``), else read now (a pipeline
    whose key was kept but whose rows no part holds)."""
    out = {g: keys.uids[g] for g in groups if g in keys.uids}
    missing = [g for g in groups if g not in out]
    for part in chunks(missing, CHUNK):
        out.update(_uids(_fingerprint_rows(wh, part)))
    return out


def _listing_order(group: Group) -> tuple[str, bool, str]:
    """A pipeline's place in ``features/graphlets``' order: by store, then pipeline, graphlets without one last."""
    return (group[0], group[1] == "", group[1])


def _in_listing_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's pipelines in listing order (:func:`_listing_order`), each pipeline's rows in the order they
    came (every pipeline's rows were computed at once, in listing order)."""
    labels = group_labels(frame)
    order = sorted(labels.unique(), key=lambda label: _listing_order(group_of(label)))
    rank = pd.Series(range(len(order)), index=pd.Index(order))
    return frame.iloc[np.argsort(rank.reindex(labels).to_numpy(), kind="stable")].reset_index(drop=True)


def group_labels(frame: pd.DataFrame) -> pd.Series:
    """Each row's pipeline group as one string (store, NUL, pipeline or "")."""
    return frame["store"].astype(str) + "\0" + frame["pipeline"].fillna("").astype(str)


def group_label(group: Group) -> str:
    """One pipeline group (store, pipeline or "") as the string :func:`group_labels` gives its rows."""
    return f"{group[0]}\0{group[1]}"


def group_of(label: str) -> Group:
    """The pipeline group a :func:`group_label` names."""
    store, pipeline = label.split("\0", 1)
    return (store, pipeline)


def _groups(frame: pd.DataFrame) -> set[Group]:
    return {group_of(str(x)) for x in group_labels(frame).unique()}


class _Parts:
    """The frame's rows per pipeline (module docstring, Cache): part files, each written with the pipelines
    computed at once, and an index from each pipeline's key to its part file."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.index_path = directory / "index.json"

    def _index(self) -> dict[str, list[str]]:
        """key -> [part file name, store, pipeline]."""
        try:
            index = json.loads(self.index_path.read_text())
        except (OSError, ValueError):
            return {}
        return index if isinstance(index, dict) else {}

    def read(self, groups: dict[Group, str]) -> list[pd.DataFrame]:
        """The stored rows of every pipeline whose current key is in the index, one frame per part file."""
        index = self._index()
        wanted: dict[str, set[str]] = {}
        for group, key in groups.items():
            entry = index.get(key)
            if entry is not None and (entry[1], entry[2]) == group:
                wanted.setdefault(entry[0], set()).add(group_label(group))
        out = []
        for name, labels in sorted(wanted.items()):
            try:
                frame = pd.read_parquet(self.dir / name)
            except (OSError, ValueError):
                continue  # unreadable: its pipelines are computed again
            out.append(frame[group_labels(frame).isin(labels)])
        return out

    def write(self, frame: pd.DataFrame, groups: dict[Group, str]) -> None:
        """Store the rows of newly computed pipelines as one part file, point their keys at it, and keep only
        the index entries (and part files) of the current keys."""
        computed = _groups(frame)
        name = (
            "part-"
            + hashlib.sha1(json.dumps(sorted(groups[g] for g in computed)).encode(), usedforsecurity=False).hexdigest()[
                :20
            ]
            + ".parquet"
        )
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / (name + ".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(self.dir / name)
        old = self._index()
        current = set(groups.values())
        index = {key: entry for key, entry in old.items() if key in current}
        index.update({groups[g]: [name, g[0], g[1]] for g in computed})
        replace_text(self.index_path, json.dumps(index, sort_keys=True))
        used = {entry[0] for entry in index.values()}
        for stale in self.dir.glob("part-*.parquet"):
            if stale.name not in used:
                stale.unlink(missing_ok=True)


def write_next_similarity(wh: Warehouse, frame: pd.DataFrame) -> int:
    """Write each graphlet's lag-1 ``jaccard``, ``dataset_similarity`` and ``code_changed`` onto its
    incoming ``:NEXT`` link (``features/next_similarity``; NaN clears a value); returns how many links
    changed. Graphlets without a predecessor have no such link and are skipped by the query."""
    lag1 = frame[["uid", "jaccard_1", "dataset_similarity_1", "code_changed_1"]].astype(object)
    lag1 = lag1.where(lag1.notna(), None)
    rows = [
        {"uid": str(uid), "jaccard": j, "dataset_similarity": d, "code_changed": None if c is None else int(c)}
        for uid, j, d, c in lag1.itertuples(index=False, name=None)
    ]
    return sum(int(r["changed"]) for r in wh.write_rows("features/next_similarity", rows, batch=5000))


def compute_frame(
    wh: Warehouse,
    *,
    k: int = DEFAULT_K,
    pipeline: str | None = None,
    uids: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    reader: StatisticsReader | None = None,
) -> pd.DataFrame:
    """Compute the frame from the graph (no cache): all graphlets, one pipeline's, or the given ones.

    A span's statistics are its ExampleStatistics' ``feature_stats`` property, else its TFDV file under
    the artifact's URI (``reader``; by default one with the stored artifact roots)."""
    reader = reader or StatisticsReader(stored_roots())
    if uids is not None:
        listed = wh.read("features/graphlets_by_uid", uids=list(uids))
    elif pipeline is not None:
        listed = wh.read("features/graphlets_of_pipeline", pipeline=pipeline)
    else:
        listed = wh.read("features/graphlets")
    listed_rows = [(uid, facts) for uid, _, of, facts in listed[0]["graphlets"] if pipeline is None or of == pipeline]
    if not all(facts for _, facts in listed_rows):
        raise FrameError("graphlets built by an older mlprov lack the frame's history facts: run `mlprov graphlets`")
    ids = [str(uid) for uid, _ in listed_rows]

    def chunk(part: Sequence[str]) -> pd.DataFrame:
        # the statistics and pair scores are cached per chunk: graphlets come in pipeline order and share
        # spans with their neighbours, so a chunk reuses most of them, and memory does not grow with the corpus
        stats_cache: dict[str, dict[str, dict[str, float]] | None] = {}
        similarities = _PairSimilarities(stats_cache)
        rows = {str(r["uid"]): _static_features(r) for r in wh.read("features/rows", uids=list(part))[0]["graphlets"]}
        links = history(wh, part, k)
        wanted = {u for h in links for pair in h["pairs"] for u in pair if u is not None and u not in stats_cache}
        for sub in chunks(sorted(wanted), CHUNK):
            for uid, text, uri in wh.read("features/stats", uids=list(sub))[0]["artifacts"]:
                recorded = _parse_stats(text)
                stats_cache[str(uid)] = recorded if recorded is not None else reader.summary(uri)
        for h in links:
            rec = rows[str(h["uid"])]
            lag = int(h["lag"])
            rec[f"jaccard_{lag}"] = math.nan if h["jaccard"] is None else float(h["jaccard"])
            rec[f"code_changed_{lag}"] = math.nan if h["code_changed"] is None else float(h["code_changed"])
            rec[f"prev_pushed_{lag}"] = math.nan if h["prev_pushed"] is None else float(h["prev_pushed"])
            rec[f"dataset_similarity_{lag}"] = similarities.dataset(h["pairs"])
        for uid, *values, _known in wh.read("features/push_history", uids=list(part))[0]["graphlets"]:
            rec = rows[str(uid)]
            for col, v in zip(PUSH_HISTORY, values, strict=True):
                rec[col] = math.nan if v is None else float(v)
        for group in query_groups():
            for gr in wh.read(str(group.query), uids=list(part)):
                rec = rows[str(gr["uid"])]
                for col in group.columns:
                    rec[col] = math.nan if gr[col] is None else float(gr[col])
        # a frame per chunk at once: a dict per graphlet kept for the whole corpus would hold every value
        # as a Python object (several GiB at the study's scale)
        return pd.DataFrame.from_records([rows[u] for u in part])

    # chunks are independent: parallel_workers() sessions at once
    parts: list[pd.DataFrame] = []
    done = 0
    with ThreadPoolExecutor(max_workers=parallel_workers()) as pool:
        for part in pool.map(chunk, list(chunks(ids, CHUNK))):
            parts.append(part)
            done += len(part)
            if progress is not None:
                progress(done, len(ids))
    return _to_frame(parts, k)


def history(wh: Warehouse, uids: Sequence[str], k: int) -> list[dict[str, Any]]:
    """Each of the given graphlets against each of its k preceding graphlets along ``:NEXT`` (lag 1 = the
    previous one), ordered by uid and lag: ``uid, lag, previous``, ``jaccard`` (size of A ∩ B over size
    of A ∪ B, A and B the two input span sets; None when either is empty), ``code_changed`` (1 when the
    trainers' code versions differ, 0 when equal, None when either is unknown), ``prev_pushed``
    (``features/history``) and
    ``pairs``: the i-th smallest span of the graphlet paired with the i-th smallest of the predecessor
    (i < the smaller count), as the uids of the two spans' ExampleStatistics artifacts (None where a span
    has none). The lists compared are read once per graphlet (``features/spans``)."""
    links = wh.read("features/history", uids=list(uids), k=k)[0]["links"]
    wanted = sorted({str(uid) for uid, _, _, _ in links} | {str(previous) for _, _, previous, _ in links})
    spans_of = wh.read("features/spans", uids=wanted)[0]["graphlets"]
    facts = {str(uid): (code, spans, _first_by_span(stats)) for uid, code, spans, stats in spans_of}
    out = []
    for uid, lag, previous, prev_pushed in links:
        code, spans, g_stats = facts[str(uid)]
        p_code, p_spans, p_stats = facts[str(previous)]
        shared = set(p_spans)
        common = sum(1 for x in spans if x in shared)
        out.append(
            {
                "uid": uid,
                "lag": lag,
                "previous": previous,
                "jaccard": common / (len(spans) + len(p_spans) - common) if spans and p_spans else None,
                "code_changed": None if code is None or p_code is None else int(code != p_code),
                "prev_pushed": prev_pushed,
                "pairs": [[g_stats.get(a), p_stats.get(b)] for a, b in zip(spans, p_spans, strict=False)],
            }
        )
    return out


def _first_by_span(stats: Sequence[Sequence[Any]]) -> dict[Any, Any]:
    """``[span, uid]`` rows as a mapping, the first row of each span kept."""
    out: dict[Any, Any] = {}
    for span, uid in stats:
        out.setdefault(span, uid)
    return out


def statements(*, uids: bool = False) -> tuple[str, ...]:
    """The named statements :func:`compute_frame` runs, for given graphlets (``uids``) or all of them."""
    first = "features/graphlets_by_uid" if uids else "features/graphlets"
    rest = ("features/rows", "features/history", "features/spans", "features/stats", "features/push_history")
    return (first, *rest, *(str(g.query) for g in query_groups()))


def _static_features(r: dict[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {c: r.get(c) for c in META_COLUMNS}
    rec["pushed"] = math.nan if r["pushed"] is None else float(bool(r["pushed"]))
    rec["cost"] = float(r["cost"] or 0.0)
    mt = r["model_type"]
    mt = "unknown" if mt is None or str(mt) == "" else str(mt)
    if mt not in MODEL_TYPES:
        mt = "Other"
    for t in MODEL_TYPES:
        rec[f"model_type_{_safe(t)}"] = 1.0 if t == mt else 0.0
    if r["architecture"]:
        rec[f"arch_{_safe(str(r['architecture']))}"] = 1.0
    cost_by_kind: dict[str, float] = {}
    agg: dict[tuple[str, str], list[float]] = {}  # (group, kind) -> [n, sum_in, sum_out]
    for s in r["shape"]:
        kind = str(s["kind"])
        if kind not in CATEGORIES or kind == "Custom":
            kind = "Custom"
        cost_by_kind[kind] = cost_by_kind.get(kind, 0.0) + float(s["cost"] or 0.0)
        group = next((g for g, kinds in SHAPE_GROUPS.items() if kind in kinds), "pre")
        n = float(s["n"])
        a = agg.setdefault((group, kind), [0.0, 0.0, 0.0])
        a[0] += n
        a[1] += float(s["mean_in"]) * n
        a[2] += float(s["mean_out"]) * n
    for group, kinds in SHAPE_GROUPS.items():
        for kind in kinds:
            n, sin, sout = agg.get((group, kind), [0.0, 0.0, 0.0])
            rec[f"{group}_{kind}_n"] = n
            rec[f"{group}_{kind}_in"] = sin / n if n else math.nan
            rec[f"{group}_{kind}_out"] = sout / n if n else math.nan
    for name, fs in SETS.items():
        rec[f"cost_before_{name}"] = sum(v for kd, v in cost_by_kind.items() if kd in fs.decision)
    return rec


def _to_frame(parts: list[pd.DataFrame], k: int) -> pd.DataFrame:
    # a column that is all null in one chunk is an object column there: infer_objects() gives the whole
    # column the type one frame of every record would have had
    frame = pd.concat(parts, ignore_index=True).infer_objects() if parts else pd.DataFrame()
    if frame.empty:
        frame = pd.DataFrame(columns=list(META_COLUMNS))
    for col in (f"{n}_{i}" for i in range(1, k + 1) for n in HISTORY_FEATURES):
        if col not in frame.columns:
            frame[col] = math.nan
    arch = sorted(c for c in frame.columns if c.startswith("arch_"))
    frame[arch] = frame[arch].fillna(0.0)
    meta = [c for c in META_COLUMNS if c in frame.columns]
    costs = sorted(c for c in frame.columns if c.startswith("cost_before_"))
    features: list[str] = []
    for name, group in GROUPS.items():
        if group.stored:
            features.extend(group_columns(frame, name, k))
    for col in features:
        if col not in frame.columns:
            frame[col] = math.nan
        frame[col] = frame[col].astype("float64")
    return frame[meta + costs + features].reset_index(drop=True)


def describe_sets(frame: pd.DataFrame, k: int) -> list[dict[str, Any]]:
    """Each feature set with its feature count and feature cost."""
    return [
        {
            "set": name,
            "groups": "+".join(SETS[name].groups),
            "features": len(feature_columns(frame, name, k)),
            "feature_cost": feature_cost(frame, name),
        }
        for name in SETS
    ]
