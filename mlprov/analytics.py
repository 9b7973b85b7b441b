"""Corpus analytics: the study's analyses of pipelines and model graphlets (DESIGN §9).

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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mlprov.db import Warehouse

QUERIES = (
    "pipeline_lifespan",
    "operator_usage",
    "model_types",
    "consecutive",
    "similarity_bins",
    "similarity_by_push",
    "push_gaps",
    "graphlets",
    "waste",
)
SIMILARITY_BINS = ("[0,.25]", "(.25,.5]", "(.5,.75]", "(.75,1]")

# The study's figures as the spec states them (DESIGN §1, §8, §10); None where it gives none.
STUDY: dict[str, float] = {
    "pipelines": 3000,
    "graphlets": 450_000,
    "lifespan_mean_days": 36.0,
    "lifespan_max_days": 130.0,
    "models_per_day_mean": 7.0,
    "pipelines_above_100_per_day_pct": 1.0,  # "more than 1%"
    "dnn_pct": 64.0,
    "unpushed_pct": 80.0,
    "unpushed_between_pushes_mean": 3.0,
    "jaccard_mean": 0.65,
    "jaccard_top_bin_pct": 57.0,
    "jaccard_bottom_bin_pct": 30.0,
    "code_unchanged_pct": 85.0,
    "warm_start_graphlets_pct": 9.0,
}


@dataclass(frozen=True)
class Figure:
    """One line of the summary: our value beside the study's."""

    section: str
    statistic: str
    ours: float | None
    study: str = "-"
    digits: int = 2

    def formatted(self) -> str:
        if self.ours is None or (isinstance(self.ours, float) and math.isnan(self.ours)):
            return "-"
        if float(self.ours).is_integer() and abs(self.ours) >= 100:
            return f"{self.ours:,.0f}"
        return f"{self.ours:,.{self.digits}f}"

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.section, "statistic": self.statistic, "ours": self.ours, "study": self.study}


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
    """Run every ``cypher/analytics/`` query (one store or all) and summarise them."""
    frames: dict[str, pd.DataFrame] = {}
    for name in QUERIES:
        if progress is not None:
            progress(name)
        frames[name] = pd.DataFrame.from_records(wh.read(f"analytics/{name}", store=store))
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


def _study(key: str, fmt: str = "~{:g}") -> str:
    return fmt.format(STUDY[key])


def summarise(a: Analytics) -> list[Figure]:
    """The headline figures of every analysis, beside the study's where the spec states one."""
    life = a["pipeline_lifespan"]
    ops = a["operator_usage"]
    types = a["model_types"]
    cons = a["consecutive"]
    bins = a["similarity_bins"]
    by_push = a["similarity_by_push"]
    gaps = a["push_gaps"]
    gl = a["graphlets"]
    waste = a["waste"].iloc[0] if len(a["waste"]) else pd.Series(dtype=object)
    figs: list[Figure] = []

    def add(section: str, statistic: str, ours: float | None, study: str = "-", digits: int = 2) -> None:
        figs.append(Figure(section, statistic, ours, study, digits))

    n_graphlets = float(len(gl))
    add("corpus", "pipelines", float(len(life)), _study("pipelines", "{:,.0f}"), 0)
    add("corpus", "model graphlets", n_graphlets, _study("graphlets", "~{:,.0f}"), 0)
    if len(life):
        add("pipelines", "lifespan, mean (days)", _mean(life["lifespan_days"]), _study("lifespan_mean_days"), 1)
        add("pipelines", "lifespan, max (days)", float(life["lifespan_days"].max()), _study("lifespan_max_days"), 1)
        add("pipelines", "models trained per day, mean", _mean(life["models_per_day"]), _study("models_per_day_mean"))
        add(
            "pipelines",
            "pipelines above 100 models/day (%)",
            _pct(float((life["models_per_day"] > 100).sum()), float(len(life))),
            _study("pipelines_above_100_per_day_pct", "> {:g}"),
        )
    if len(ops):
        trainer = ops[ops["kind"] == "Trainer"]
        add(
            "operators",
            "pipelines running a Trainer (%)",
            100.0 * float(trainer["pipeline_share"].max()) if len(trainer) else 0.0,
        )
        add("operators", "Trainer share of compute (%)", 100.0 * float(trainer["cost_share"].sum()))
        pre = ops[ops["category"] == "pre-trainer"]
        add("operators", "pre-trainer share of compute (%)", 100.0 * float(pre["cost_share"].sum()))
    if len(types):
        decided = float(types["decided"].sum())
        pushed = float(types["pushed"].sum())
        dnn = types[types["model_type"] == "DNN"]
        add("models", "DNN graphlets (%)", _pct(float(dnn["graphlets"].sum()), n_graphlets), _study("dnn_pct"), 1)
        add("models", "unpushed graphlets (% of decided)", _pct(decided - pushed, decided), _study("unpushed_pct"), 1)
        add("models", "undecided graphlets (no push decision)", n_graphlets - decided, "-", 0)
    if len(bins):
        jac = bins[bins["measure"] == "jaccard"].set_index("bin")["share"]
        jac_mean = bins.loc[bins["measure"] == "jaccard", "mean"]
        if len(jac):
            add("consecutive", "Jaccard of input spans, mean", _num(jac_mean.iloc[0]), _study("jaccard_mean"))
            add(
                "consecutive",
                "Jaccard in (.75,1] (%)",
                100.0 * float(jac.get("(.75,1]", 0.0)),
                _study("jaccard_top_bin_pct"),
                1,
            )
            add(
                "consecutive",
                "Jaccard in [0,.25] (%)",
                100.0 * float(jac.get("[0,.25]", 0.0)),
                _study("jaccard_bottom_bin_pct"),
                1,
            )
        ds = bins[bins["measure"] == "dataset_similarity"]
        if len(ds):
            add("consecutive", "dataset similarity, mean", _num(ds["mean"].iloc[0]))
    if len(cons):
        known = cons["code_changed"].dropna()
        add(
            "consecutive",
            "code unchanged (%)",
            _pct(float((known == 0).sum()), float(len(known))),
            _study("code_unchanged_pct"),
            1,
        )
        add("consecutive", "hours between consecutive graphlets, median", _median(cons["hours"]), "-", 1)
    if len(gaps):
        add("consecutive", "hours between consecutive pushes, median", _median(gaps["hours"]), "-", 1)
        add(
            "consecutive",
            "unpushed graphlets between consecutive pushes, mean",
            _mean(gaps["unpushed_between"]),
            _study("unpushed_between_pushes_mean"),
        )
    for pushed, label in ((True, "pushed"), (False, "unpushed")):
        row = by_push[by_push["pushed"] == pushed] if len(by_push) else by_push
        if len(row):
            add("pushed vs unpushed", f"Jaccard to previous, mean ({label})", _num(row["mean_jaccard"].iloc[0]))
            add(
                "pushed vs unpushed",
                f"dataset similarity to previous, mean ({label})",
                _num(row["mean_dataset_similarity"].iloc[0]),
            )
            add(
                "pushed vs unpushed",
                f"code unchanged vs previous (%, {label})",
                _percent(row["code_match"].iloc[0]),
                "-",
                1,
            )
    if len(gl):
        add("graphlets", "graphlet duration, median (hours)", _median(gl["hours"]), "-", 1)
        for pushed, label in ((True, "pushed"), (False, "unpushed")):
            part = gl[gl["pushed"] == pushed]  # undecided (None) is in neither
            add("graphlets", f"trainer cost, mean ({label}, s)", _mean(part["trainer_cost"]), "-", 1)
    if len(waste):
        add(
            "waste",
            "compute in unpushed graphlets (% of decided)",
            _percent(waste["waste_share"]),
            "-",
            1,
        )
        if int(waste["predicted"] or 0):
            add(
                "waste",
                "unpushed compute the stored decisions skip (%, in-sample)",
                _percent(waste["waste_removed"]),
                "-",
                1,
            )
            add(
                "waste",
                "pushed graphlets the stored decisions keep (freshness, %)",
                _percent(waste["freshness"]),
                "-",
                1,
            )
    return figs
