"""Corpus analytics: the study's analyses of pipelines and model graphlets (docs/study.md).

Every number comes from a query of ``cypher/analytics/`` (one per analysis, each runnable on its own
with ``mlprov query``-style tools); Python only summarises the rows (means, medians, shares) and sets
them beside the study's figures. The similarity analyses read the lag-1 history features that
``mlprov features`` keeps on the ``:NEXT`` links; the waste rows read the decisions ``mlprov predict``
wrote back, when there are any.

Definitions
-----------
* lifespan of a pipeline: its executions' first creation to their last update, in days;
  models per day: its model graphlets / max(lifespan, 1 day).
* operator usage: share of pipelines with at least one execution of the operator kind; compute share:
  the kind's (or stage's) share of all execution cost.
* push rate: pushed / decided graphlets; unpushed share: unpushed / decided. A graphlet is undecided
  when its trainer did not complete or no Pusher in it decided (e.g. a distillation teacher, whose
  model only feeds its student; the generator's ``--check`` counts those as unpushed).
* consecutive graphlets: the two ends of a ``:NEXT`` link (same pipeline, trainer start order); time
  between them: trainer start to trainer start. Between consecutive *pushes*: the graphlets in
  between that did not push (unpushed or undecided) and the time from push to push.
* graphlet duration: first execution start to last execution end of its members.
* waste: the cost of unpushed graphlets as a share of decided graphlets' cost.
* trace of a pipeline: its executions and the distinct artifacts they read or wrote; warm-starting
  pipeline: one of its Trainers reads a Model another Trainer wrote (figures.md's definition, so a
  distillation student's pipeline counts); its model type: the one most of its graphlets record.
* stages: the operator kinds' stage, which is the study's six groups as figures.md assumes them.
* Table 2: the mean lag-1 dataset similarity and code match of :NEXT links by the later graphlet's
  outcome (pushed / unpushed, undecided in neither) and over all links.
* push gap shift (Fig. 9a): the mean over pipelines of each pipeline's mean time between consecutive
  pushes minus the same for consecutive graphlets.

Each summary row carries the id of the study's figure it answers (``key``, from
shared/study/figures.md); :func:`omitted` lists the figures without a value, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mlprov.db import Warehouse
from mlprov.settings import parallel_workers

QUERIES = (
    "corpus",
    "pipeline_lifespan",
    "pipeline_traces",
    "operator_usage",
    "stage_compute",
    "model_types",
    "consecutive",
    "similarity_bins",
    "similarity_by_push",
    "pipeline_similarity",
    "push_gaps",
    "graphlets",
    "waste",
)
# The reads that take longest, started first so that no session is left alone with one of them at the end
# (bench, 300 pipelines: pipeline_traces about a third of all the reads' server time, then consecutive and
# graphlets, one row per link and per graphlet; docs/benchmarks.md, "Evaluate and report, session 11")
LONGEST_FIRST = ("pipeline_traces", "consecutive", "graphlets")
SIMILARITY_BINS = ("[0,.25]", "(.25,.5]", "(.5,.75]", "(.75,1]")

# The study's figures (shared/study/figures.md, from the SIGMOD'21 paper), by that list's id: the value
# as the study gives it. Every id of the list is either here (the summary puts our value beside it) or
# in OMITTED with the reason the warehouse cannot compute it.
STUDY_FIGURES: dict[str, str] = {
    "corpus_pipelines": "≈3,000",
    "corpus_models": "> 450,000",
    "n_graphlets": "450,000",
    "corpus_period": "130 (> 4 months)",
    "corpus_exec_nodes": "7.7 M",
    "corpus_artifact_nodes": "20 M",
    "max_trace_nodes_s2": "≈6,900",
    "max_trace_nodes_s3": "6,953",
    "corpus_inclusion_rule": "100 (the study's filter)",
    "derived_avg_nodes_per_trace": "≈9,200 (derived)",
    "derived_exec_per_graphlet": "≈17 (derived)",
    "derived_graphlets_per_pipeline": "≈150 (derived)",
    "lifespan_mean": "36",
    "lifespan_max": "130",
    "lifespan_dist": "plot only: right-skewed",
    "lifespan_by_model_type": "plot only: Linear > DNN",
    "intro_updates_per_day_mean": "7",
    "intro_pipelines_gt100_per_day": "1.12",
    "models_per_day_dist": "plot only: mode ≈1",
    "models_per_day_by_type": "plot only: DNN most diverse",
    "model_type_dnn": "64",
    "intro_dnn_share": "≈60",
    "model_type_dnn_linear": "2",
    "model_type_others": "34 (derived: 100 − 64 − 2)",
    "intro_non_dnn_share": "≈40",
    "intro_push_ratio": "≈25 (1 in 4)",
    "unpushed_fraction": "≈80",
    "push_likelihood_by_type": "plot only: every type < 0.6",
    "op_usage_training": "100",
    "op_usage_deployment": "100",
    "op_usage_validation": "≈50",
    "op_usage_ingest_preproc": "plot only: among the most common",
    "op_usage_other": "plot only",
    "compute_share_training": "< 33",
    "intro_training_share": "≈20",
    "compute_share_analysis_validation": "≈35",
    "compute_share_ingestion": "≈22",
    "derived_compute_share_rest": "≈43 (derived)",
    "post_vs_pre_trainer_cost": "≈30",
    "jaccard_bins": "30.2 / 8.2 / 4.4 / 57.3",
    "jaccard_mean": "0.647",
    "jaccard_high_note": '"several"',
    "dataset_sim_bins": "89.7 / 0.3 / 0.1 / 9.9",
    "dataset_sim_mean": "0.101",
    "avg_dataset_sim_bins": "87.3 / 5 / 3.1 / 4.6",
    "avg_dataset_sim_mean": "0.092",
    "push_gap_shift": "≈15",
    "push_gap_cdf_80": "80",
    "pushed_gap_mean": "≈40",
    "derived_all_gap_mean": "≈25 (derived)",
    "unpushed_between_pushes": "≈3",
    "trainer_cpu_pushed_vs_unpushed": "plot only: unpushed higher",
    "training_time_mean": "168",
    "training_time_dist": "plot only",
    "table2_input_sim": "0.109 / 0.099 / 0.101",
    "table2_code_match": "0.838 / 0.846 / 0.845",
    "warmstart_graphlet_share": "9",
    "overlap_prone_compute_share": "≈60",
    "waste_lower_bound": "> 30",
    "derived_waste_reconstruction": "≈32 (derived: 0.8 × (1 − 0.6))",
    "pred_pipelines": "2,827",
    "pred_graphlets": "≈420,000",
    "pred_class_balance": "20",
    "derived_removed": "≈6.7 (derived: 30 k of 450 k)",
}

# The study's headline figures as numbers: the generator's calibration targets (generator/check.py).
STUDY: dict[str, float] = {
    "pipelines": 3000,
    "graphlets": 450_000,
    "lifespan_mean_days": 36.0,
    "lifespan_max_days": 130.0,
    "models_per_day_mean": 7.0,
    "pipelines_above_100_per_day_pct": 1.0,  # "more than 1%"
    "dnn_pct": 64.0,
    "unpushed_pct": 80.0,
    "pushing_pipelines_pct": 100.0,  # Fig. 6 deployment: every pipeline pushed (the §2.2 corpus filter)
    "unpushed_between_pushes_mean": 3.0,
    "jaccard_mean": 0.65,
    "jaccard_top_bin_pct": 57.0,
    "jaccard_bottom_bin_pct": 30.0,
    "code_unchanged_pct": 85.0,
    "warm_start_graphlets_pct": 9.0,
}

_FEATURES = "the span statistics' feature-level details"
_EVALUATE = "a held-out predictor result: see `mlprov evaluate` (the Table 3 analogue), not this corpus report"
_EXAMPLE = "an illustrative example of the paper (its toy trace), not a corpus statistic"
OMITTED: dict[str, str] = {
    "headline_waste_cut": _EVALUATE,
    "corpus_teams": "needs team ownership metadata, which MLMD does not hold",
    "feature_count_dist": f"needs {_FEATURES} (feature counts per span), which the graph does not hold",
    "feature_count_by_type": f"needs {_FEATURES} (feature counts per span), which the graph does not hold",
    "categorical_fraction_mean": f"needs {_FEATURES} (categorical vs numeric), which the graph does not hold",
    "categorical_domain_mean": f"needs {_FEATURES} (unique values per feature), which the graph does not hold",
    "categorical_domain_dnn": f"needs {_FEATURES} (unique values per feature), which the graph does not hold",
    "categorical_domain_linear": f"needs {_FEATURES} (unique values per feature), which the graph does not hold",
    "vocab_topk_range": "needs the Transform analyzers' parameters, kept in the TransformGraph files, not in MLMD",
    "analyzer_pipeline_share": "needs the Transform analyzers used, kept in the TransformGraph files, not in MLMD",
    "analyzer_total_usage": "needs the Transform analyzers used, kept in the TransformGraph files, not in MLMD",
    "heuristic_best_bacc": _EVALUATE + " (row 'heuristic')",
    "split_ratio": _EVALUATE + " (test share per split in its caption)",
    "history_window": "a parameter, not a measurement: `mlprov features --k` (default 3)",
    "rf_input": _EVALUATE,
    "rf_input_pre": _EVALUATE,
    "rf_input_pre_trainer": _EVALUATE,
    "rf_validation": _EVALUATE,
    "abl_input": _EVALUATE,
    "abl_history": _EVALUATE,
    "abl_shape": _EVALUATE,
    "abl_model_type": _EVALUATE,
    "precision_recall": "not reported by the study",
    "other_classifiers": "not reported numerically by the study",
    "derived_trainer_share_table3": _EVALUATE + " (feature cost column)",
    "derived_post_share_table3": _EVALUATE + " (feature cost column)",
    "fig10a_worked_point": _EVALUATE + " (freshness–waste curve)",
    "fig10a_zero_loss_cut": _EVALUATE + " (waste removed at 100% freshness)",
    "fig10a_knee": _EVALUATE + " (freshness–waste curve)",
    "fig10a_rf_input_limit": _EVALUATE + " (freshness–waste curve of the input set)",
    "fig10b_ablation_curves": _EVALUATE + " (curves of the ablation sets)",
    "ex_fig1a_ops": _EXAMPLE,
    "ex_fig2a_examplegen": _EXAMPLE,
    "ex_fig2a_trainer": _EXAMPLE,
    "ex_fig2a_pusher": _EXAMPLE,
    "ex_fig2a_jaccard": _EXAMPLE,
    "ex_fig8_examplegen": _EXAMPLE,
    "ex_fig8_trainer": _EXAMPLE,
    "ex_fig8_analysis_pusher": _EXAMPLE,
    "ex_window3": _EXAMPLE,
}


@dataclass(frozen=True)
class Figure:
    """One line of the summary: our value beside the study's (``key``: its id in the study's figure list)."""

    section: str
    statistic: str
    ours: float | None
    study: str = "-"
    digits: int = 2
    key: str = ""  # comma-separated when one row answers several ids

    def formatted(self) -> str:
        if self.ours is None or (isinstance(self.ours, float) and math.isnan(self.ours)):
            return "-"
        if float(self.ours).is_integer() and abs(self.ours) >= 100:
            return f"{self.ours:,.0f}"
        return f"{self.ours:,.{self.digits}f}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "statistic": self.statistic,
            "ours": self.ours,
            "study": self.study,
            "figure": self.key,
        }


@dataclass
class Analytics:
    """The rows of every analytics query, as frames keyed by query name."""

    frames: dict[str, pd.DataFrame]
    store: str | None = None
    figures: list[Figure] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    @property
    def has_similarity(self) -> bool:
        c = self.frames["consecutive"]
        return bool(len(c)) and bool(c[["jaccard", "dataset_similarity", "code_changed"]].notna().any().any())

    @property
    def has_predictions(self) -> bool:
        return bool(self.frames["graphlets"]["push_decision"].notna().any())


def run_analytics(
    wh: Warehouse, *, store: str | None = None, progress: Callable[[str], None] | None = None
) -> Analytics:
    """Run every ``cypher/analytics/`` query (one store or all; independent reads,
    :func:`~mlprov.settings.parallel_workers` sessions at once) and summarise them."""

    def read(name: str) -> pd.DataFrame:
        return pd.DataFrame.from_records(wh.read(f"analytics/{name}", store=store))

    frames: dict[str, pd.DataFrame] = {}
    with ThreadPoolExecutor(max_workers=parallel_workers()) as pool:
        started = {name: pool.submit(read, name) for name in dict.fromkeys((*LONGEST_FIRST, *QUERIES))}
        for name in QUERIES:  # the frames in QUERIES' order, whatever order they were read in
            frames[name] = started[name].result()
            if progress is not None:
                progress(name)
    result = Analytics(frames, store)
    result.figures = summarise(result)
    return result


def _num(x: Any) -> float | None:
    """A query value as a float; None for null or NaN."""
    return None if x is None or pd.isna(x) else float(x)


def _percent(x: Any) -> float | None:
    """A 0..1 query value in percent; None for null or NaN."""
    v = _num(x)
    return None if v is None else 100.0 * v


def _mean(s: pd.Series) -> float:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.mean()) if len(s) else math.nan


def _median(s: pd.Series) -> float:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.median()) if len(s) else math.nan


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else math.nan


def _bin_shares(values: pd.Series) -> list[float]:
    """Percent of the values in each of :data:`SIMILARITY_BINS` ([0,.25] closed, the others open below)."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if not len(v):
        return [math.nan] * len(SIMILARITY_BINS)
    edges = [(-math.inf, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, math.inf)]
    return [100.0 * float(((v > lo) & (v <= hi)).sum()) / len(v) for lo, hi in edges]


def _pipeline_class(model_type: str) -> str:
    """The study's split of pipelines by model type (Fig. 3d/3e): DNN, Linear and the rest."""
    return model_type if model_type in ("DNN", "Linear") else "other"


def _gap_means(frame: pd.DataFrame) -> pd.Series:
    """Each pipeline's mean gap (hours) in rows with store, pipeline and hours."""
    if not len(frame):
        return pd.Series(dtype=float)
    hours = pd.to_numeric(frame["hours"], errors="coerce")
    return hours.groupby([frame["store"], frame["pipeline"]]).mean().dropna()


def summarise(a: Analytics) -> list[Figure]:
    """Our value of every figure of the study's list the warehouse can compute, beside the study's value
    (:data:`STUDY_FIGURES`); the others are in :data:`OMITTED` with the reason."""
    corpus = a["corpus"].iloc[0] if len(a["corpus"]) else pd.Series(dtype=object)
    life = a["pipeline_lifespan"]
    traces = a["pipeline_traces"]
    ops = a["operator_usage"]
    stages = a["stage_compute"]
    types = a["model_types"]
    cons = a["consecutive"]
    bins = a["similarity_bins"]
    by_push = a["similarity_by_push"]
    per_pipe = a["pipeline_similarity"]
    gaps = a["push_gaps"]
    gl = a["graphlets"]
    waste = a["waste"].iloc[0] if len(a["waste"]) else pd.Series(dtype=object)
    figs: list[Figure] = []

    def add(section: str, statistic: str, ours: float | None, key: str = "", digits: int = 2, study: str = "") -> None:
        default = "; ".join(STUDY_FIGURES[k] for k in key.split(",")) if key else "-"
        figs.append(Figure(section, statistic, ours, study or default, digits, key))

    def add_parts(section: str, statistics: list[str], values: list[float | None], key: str, digits: int) -> None:
        """One row per part of a figure the study gives as 'a / b / c' (bins, pushed / unpushed / all)."""
        parts = STUDY_FIGURES[key].split(" / ")
        for statistic, value, part in zip(statistics, values, parts, strict=True):
            add(section, statistic, value, key, digits, part)

    n_graphlets = float(len(gl))
    add("corpus", "pipelines", float(len(life)), "corpus_pipelines", 0)
    add("corpus", "model graphlets", n_graphlets, "corpus_models,n_graphlets", 0)
    if len(corpus):
        add("corpus", "observation window (days)", _num(corpus["period_days"]), "corpus_period", 1)
        add("corpus", "execution nodes", _num(corpus["executions"]), "corpus_exec_nodes", 0)
        add("corpus", "artifact nodes", _num(corpus["artifacts"]), "corpus_artifact_nodes", 0)
    if len(traces):
        add(
            "corpus",
            "largest trace (execution + artifact nodes)",
            float(traces["nodes"].max()),
            "max_trace_nodes_s3,max_trace_nodes_s2",
            0,
        )
        kept = (traces["graphlets"] > 0) & (traces["pushed"] > 0)
        add(
            "corpus",
            "pipelines with a model and a push (%)",
            _pct(float(kept.sum()), len(traces)),
            "corpus_inclusion_rule",
            1,
        )
        if len(life):
            add(
                "corpus",
                "model graphlets per pipeline, mean",
                n_graphlets / len(life),
                "derived_graphlets_per_pipeline",
                1,
            )
    if len(life):
        add("pipelines", "lifespan, mean (days)", _mean(life["lifespan_days"]), "lifespan_mean", 1)
        add("pipelines", "lifespan, max (days)", float(life["lifespan_days"].max()), "lifespan_max", 1)
        add("pipelines", "lifespan, median (days)", _median(life["lifespan_days"]), "lifespan_dist", 1)
        add("pipelines", "models trained per day, mean", _mean(life["models_per_day"]), "intro_updates_per_day_mean")
        add("pipelines", "models trained per day, median", _median(life["models_per_day"]), "models_per_day_dist")
        add(
            "pipelines",
            "pipelines above 100 models/day (%)",
            _pct(float((life["models_per_day"] > 100).sum()), float(len(life))),
            "intro_pipelines_gt100_per_day",
        )
        if len(traces):
            joined = life.merge(traces[["store", "pipeline", "model_type"]], on=["store", "pipeline"])
            cls = joined["model_type"].map(_pipeline_class)
            for c in ("DNN", "Linear", "other"):
                part = joined[cls == c]
                if len(part):
                    add(
                        "pipelines",
                        f"lifespan, mean (days, {c} pipelines)",
                        _mean(part["lifespan_days"]),
                        "lifespan_by_model_type",
                        1,
                    )
                    add(
                        "pipelines",
                        f"models per day, mean ({c} pipelines)",
                        _mean(part["models_per_day"]),
                        "models_per_day_by_type",
                    )
    if len(types):
        decided = float(types["decided"].sum())
        pushed = float(types["pushed"].sum())
        count = types.set_index("model_type")["graphlets"].astype(float)
        dnn = float(count.get("DNN", 0.0))
        wide = float(count.get("DNN+Linear", 0.0))
        add("models", "DNN graphlets (%)", _pct(dnn, n_graphlets), "model_type_dnn,intro_dnn_share", 1)
        add("models", "DNN+Linear graphlets (%)", _pct(wide, n_graphlets), "model_type_dnn_linear", 1)
        add(
            "models",
            "other model types' graphlets (%)",
            _pct(n_graphlets - dnn - wide, n_graphlets),
            "model_type_others",
            1,
        )
        if len(traces):
            add(
                "models",
                "non-DNN pipelines (%)",
                _pct(float((traces["model_type"] != "DNN").sum()), len(traces)),
                "intro_non_dnn_share",
                1,
            )
        add("models", "pushed graphlets (% of decided)", _pct(pushed, decided), "intro_push_ratio", 1)
        add("models", "unpushed graphlets (% of decided)", _pct(decided - pushed, decided), "unpushed_fraction", 1)
        add("models", "undecided graphlets (no push decision)", n_graphlets - decided, digits=0)
        rates = pd.to_numeric(types["push_rate"], errors="coerce").dropna()
        if len(rates):
            add("models", "push rate of the most pushed model type", float(rates.max()), "push_likelihood_by_type")
    if len(ops):
        trainer = ops[ops["kind"] == "Trainer"]
        pusher = ops[ops["kind"] == "Pusher"]
        add(
            "operators",
            "pipelines running a Trainer (%)",
            _percent(trainer["pipeline_share"].max()) or 0.0,
            "op_usage_training",
            1,
        )
        add(
            "operators",
            "pipelines running a Pusher (%)",
            _percent(pusher["pipeline_share"].max()) or 0.0,
            "op_usage_deployment",
            1,
        )
        for kind in ("ExampleValidator", "ExampleGen", "Transform"):
            row = ops[ops["kind"] == kind]
            key = "op_usage_validation" if kind == "ExampleValidator" else "op_usage_ingest_preproc"
            add("operators", f"pipelines running {kind} (%)", _percent(row["pipeline_share"].max()) or 0.0, key, 1)
        for kind in ("StatisticsGen", "SchemaGen", "Tuner", "Evaluator", "InfraValidator", "ModelValidator"):
            row = ops[ops["kind"] == kind]
            if len(row):
                add(
                    "operators",
                    f"pipelines running {kind} (%)",
                    _percent(row["pipeline_share"].max()),
                    "op_usage_other",
                    1,
                )
        cost = ops.groupby("category")["cost"].sum()
        add(
            "operators",
            "post-trainer vs pre-trainer compute (%)",
            _pct(float(cost.get("post-trainer", 0.0)), float(cost.get("pre-trainer", 0.0))),
            "post_vs_pre_trainer_cost",
            1,
        )
    if len(stages):
        st = stages.set_index("stage")
        share = pd.to_numeric(st["cost_share"], errors="coerce").fillna(0.0)
        used = pd.to_numeric(st["pipeline_share"], errors="coerce").fillna(0.0)
        add(
            "operators",
            "pipelines running model validation (%)",
            100.0 * float(used.get("model-validation", 0.0)),
            "op_usage_validation",
            1,
        )
        add(
            "operators",
            "training share of compute (%)",
            100.0 * float(share.get("training", 0.0)),
            "compute_share_training,intro_training_share",
            1,
        )
        add(
            "operators",
            "data + model analysis/validation share of compute (%)",
            100.0 * float(share.get("data-validation", 0.0) + share.get("model-validation", 0.0)),
            "compute_share_analysis_validation",
            1,
        )
        add(
            "operators",
            "ingestion share of compute (%)",
            100.0 * float(share.get("ingest", 0.0)),
            "compute_share_ingestion",
            1,
        )
        add(
            "operators",
            "training + pre-processing + deployment share of compute (%)",
            100.0 * float(share.get("training", 0.0) + share.get("preprocessing", 0.0) + share.get("deployment", 0.0)),
            "derived_compute_share_rest",
            1,
        )
    if len(bins):
        for measure, key, label in (
            ("jaccard", "jaccard", "Jaccard of input spans"),
            ("dataset_similarity", "dataset_sim", "dataset similarity"),
        ):
            part = bins[bins["measure"] == measure].set_index("bin")
            if len(part):
                add("consecutive (Table 1)", f"{label}, mean", _num(part["mean"].iloc[0]), f"{key}_mean", 3)
                add_parts(
                    "consecutive (Table 1)",
                    [f"{label} in {b} (%)" for b in SIMILARITY_BINS],
                    [100.0 * float(part["share"].get(b, 0.0)) for b in SIMILARITY_BINS],
                    f"{key}_bins",
                    1,
                )
    if len(cons):
        jac = pd.to_numeric(cons["jaccard"], errors="coerce").dropna()
        if len(jac):
            add(
                "consecutive (Table 1)",
                "Jaccard above 0.8 (% of pairs)",
                _pct(float((jac > 0.8).sum()), len(jac)),
                "jaccard_high_note",
                1,
            )
    if len(per_pipe):
        avg = pd.to_numeric(per_pipe["mean_dataset_similarity"], errors="coerce").dropna()
        if len(avg):
            add(
                "consecutive (Table 1)",
                "per-pipeline dataset similarity, mean",
                float(avg.mean()),
                "avg_dataset_sim_mean",
                3,
            )
            add_parts(
                "consecutive (Table 1)",
                [f"per-pipeline dataset similarity in {b} (%)" for b in SIMILARITY_BINS],
                list(_bin_shares(avg)),
                "avg_dataset_sim_bins",
                1,
            )
    if len(cons):
        known = cons["code_changed"].dropna()
        add(
            "consecutive (Table 2)",
            "code unchanged (%)",
            _pct(float((known == 0).sum()), float(len(known))),
            "table2_code_match",
            1,
            "84.5 (all pairs)",
        )
        side = {bool(r.pushed): r for r in by_push.itertuples()} if len(by_push) else {}
        ds_all = _mean(cons["dataset_similarity"])
        code_all = 1.0 - _mean(cons["code_changed"])

        def outcome(pushed: bool, column: str) -> float | None:
            return _num(getattr(side[pushed], column)) if pushed in side else None

        add_parts(
            "consecutive (Table 2)",
            [f"dataset similarity to previous, mean ({c})" for c in ("pushed", "unpushed", "all")],
            [outcome(True, "mean_dataset_similarity"), outcome(False, "mean_dataset_similarity"), ds_all],
            "table2_input_sim",
            3,
        )
        add_parts(
            "consecutive (Table 2)",
            [f"code unchanged vs previous, share ({c})" for c in ("pushed", "unpushed", "all")],
            [outcome(True, "code_match"), outcome(False, "code_match"), code_all],
            "table2_code_match",
            3,
        )
        for pushed, label in ((True, "pushed"), (False, "unpushed")):
            add(
                "consecutive (Table 2)",
                f"Jaccard to previous, mean ({label})",
                outcome(pushed, "mean_jaccard"),
                digits=3,
            )
    if len(cons):
        hours = pd.to_numeric(cons["hours"], errors="coerce").dropna()
        add("cadence (Fig. 9)", "hours between consecutive graphlets, mean", _mean(hours), "derived_all_gap_mean", 1)
        add("cadence (Fig. 9)", "hours between consecutive graphlets, median", _median(hours), digits=1)
    if len(gaps):
        push_hours = pd.to_numeric(gaps["hours"], errors="coerce").dropna()
        add("cadence (Fig. 9)", "hours between consecutive pushes, mean", _mean(push_hours), "pushed_gap_mean", 1)
        add("cadence (Fig. 9)", "hours between consecutive pushes, median", _median(push_hours), digits=1)
        if len(cons):
            shift = float(_gap_means(gaps).mean() - _gap_means(cons).mean())
            add(
                "cadence (Fig. 9)",
                "per-pipeline mean gap, pushes minus all graphlets (hours)",
                shift,
                "push_gap_shift",
                1,
            )
            add(
                "cadence (Fig. 9)",
                "consecutive-graphlet gaps below the median push gap (%)",
                _pct(float((hours < float(push_hours.median())).sum()), len(hours)) if len(push_hours) else None,
                "push_gap_cdf_80",
                1,
            )
        add(
            "cadence (Fig. 9)",
            "unpushed graphlets between consecutive pushes, mean",
            _mean(gaps["unpushed_between"]),
            "unpushed_between_pushes",
        )
    if len(gl):
        add("graphlets", "trainer run time, mean (hours)", _mean(gl["trainer_hours"]), "training_time_mean", 1)
        add("graphlets", "graphlet duration, mean (hours)", _mean(gl["hours"]), "training_time_mean", 1)
        add("graphlets", "graphlet duration, median (hours)", _median(gl["hours"]), "training_time_dist", 1)
        for pushed, label in ((True, "pushed"), (False, "unpushed")):
            part_gl = gl[gl["pushed"] == pushed]  # undecided (None) is in neither
            add(
                "graphlets",
                f"trainer cost, mean ({label}, s)",
                _mean(part_gl["trainer_cost"]),
                "trainer_cpu_pushed_vs_unpushed",
                1,
            )
    if len(traces):
        warm = traces["warm_start"].astype(bool)
        cold = traces[~warm]
        total_graphlets = float(traces["graphlets"].sum())
        add(
            "waste",
            "graphlets in warm-starting pipelines (%)",
            _pct(float(traces.loc[warm, "graphlets"].sum()), total_graphlets),
            "warmstart_graphlet_share",
            1,
        )
        add(
            "waste",
            "graphlets in warm-starting pipelines, removed (%)",
            _pct(float(traces.loc[warm, "graphlets"].sum()), total_graphlets),
            "derived_removed",
            1,
        )
        cold_cost = float(cold["cost"].sum())
        add(
            "waste",
            "pre-trainer share of compute, non-warm-start pipelines (%)",
            _pct(float(cold["pre_trainer_cost"].sum()), cold_cost),
            "overlap_prone_compute_share",
            1,
        )
        add(
            "waste",
            "trainer + post-trainer compute of unpushed graphlets, non-warm-start (%)",
            _pct(float(cold["unpushed_late_cost"].sum()), cold_cost),
            "waste_lower_bound",
            1,
        )
        cold_decided = float(cold["decided"].sum())
        unpushed_share = 1.0 - float(cold["pushed"].sum()) / cold_decided if cold_decided else math.nan
        pre_share = float(cold["pre_trainer_cost"].sum()) / cold_cost if cold_cost else math.nan
        add(
            "waste",
            "unpushed share × (1 − pre-trainer share) (%)",
            100.0 * unpushed_share * (1.0 - pre_share),
            "derived_waste_reconstruction",
            1,
        )
        add("predictor data", "non-warm-start pipelines", float(len(cold)), "pred_pipelines", 0)
        add(
            "predictor data",
            "graphlets of non-warm-start pipelines",
            float(cold["graphlets"].sum()),
            "pred_graphlets",
            0,
        )
        add(
            "predictor data",
            "pushed graphlets, non-warm-start (% of decided)",
            _pct(float(cold["pushed"].sum()), cold_decided),
            "pred_class_balance",
            1,
        )
        if len(corpus):
            add(
                "corpus",
                "nodes per pipeline, mean",
                (float(corpus["executions"]) + float(corpus["artifacts"])) / len(traces),
                "derived_avg_nodes_per_trace",
                0,
            )
            add(
                "corpus",
                "executions per graphlet",
                float(corpus["executions"]) / n_graphlets if n_graphlets else None,
                "derived_exec_per_graphlet",
                1,
            )
    if len(waste):
        add("waste", "compute in unpushed graphlets (% of decided)", _percent(waste["waste_share"]), digits=1)
        if int(waste["predicted"] or 0):
            add(
                "waste",
                "unpushed compute the stored decisions skip (%, in-sample)",
                _percent(waste["waste_removed"]),
                digits=1,
            )
            add(
                "waste",
                "pushed graphlets the stored decisions keep (freshness, %)",
                _percent(waste["freshness"]),
                digits=1,
            )
    return figs


def omitted(a: Analytics) -> list[tuple[str, str]]:
    """(figure id, reason) for every figure of the study's list without a value in ``a.figures``: those the
    warehouse cannot compute (:data:`OMITTED`) and those this corpus has no rows for."""
    shown = {k for f in a.figures if f.key and f.formatted() != "-" for k in f.key.split(",")}
    missing = [
        (key, "no value on this warehouse (no rows for it, or run `mlprov features` first)")
        for key in STUDY_FIGURES
        if key not in shown
    ]
    return missing + sorted(OMITTED.items())
