"""The one registry of the push predictor's feature groups and feature sets (docs/predictor.md).

The frame (features/frame.py) computes the columns of every group, training and evaluation take a
set's columns, decision point and the study's balanced accuracy from here, the CLI and the app list
the sets from here, and the feature-set table of docs/predictor.md is :func:`markdown_table` (a test
keeps the page equal to it).

Adding a group (docs/contributing.md): a query ``cypher/features/group_NAME.cypher`` that returns one row
per graphlet of ``$uids`` with ``uid`` and one numeric column per feature (null when unknown), and an entry
in :data:`GROUPS` naming that query and its columns; the frame runs the query per chunk of graphlets and
the cache key covers the query's text. Adding a set: an entry in :data:`SETS`. The groups without a query
(model, history, shape) are computed by ``features/frame.py`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

# operator kinds of each shape group (pre-trainer, trainer, post-trainer)
SHAPE_GROUPS: dict[str, tuple[str, ...]] = {
    "pre": ("ExampleGen", "StatisticsGen", "SchemaGen", "ExampleValidator", "Transform", "Tuner", "Custom"),
    "trainer": ("Trainer",),
    "post": ("Evaluator", "InfraValidator", "ModelValidator", "Pusher"),
}


@dataclass(frozen=True)
class FeatureGroup:
    """Columns computed together. ``stored`` is False for a group whose columns are a subset of another
    stored group's (it selects, it adds no column to the frame)."""

    name: str
    description: str
    stored: bool = True
    query: str | None = None  # a cypher/ query name: one row per graphlet uid with the columns below
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeatureSet:
    """A set of groups a model is trained on. ``decision`` holds the operator kinds that must have run
    before its features exist (its feature cost is their compute share); ``main`` sets are the study's
    Table 3 steps, the others ablations; ``study_ba`` is the study's balanced accuracy for it."""

    name: str
    groups: tuple[str, ...]
    decision: frozenset[str]
    main: bool
    study_ba: float
    description: str


GROUPS: dict[str, FeatureGroup] = {
    g.name: g
    for g in (
        FeatureGroup("model", "model type one-hot and architecture one-hot of the Trainer"),
        FeatureGroup(
            "history", "lags 1..k along :NEXT (jaccard, dataset similarity, code change, prior push), push history"
        ),
        FeatureGroup("pre", "pre-trainer shape: executions and mean INPUT/OUTPUT edges per operator kind"),
        FeatureGroup("trainer", "trainer shape"),
        FeatureGroup("post", "post-trainer shape"),
        FeatureGroup(
            "validation",
            "mean blessed flag of the ModelBlessing / InfraBlessing artifacts",
            query="features/group_validation",
            columns=("val_model_blessed", "val_infra_blessed"),
        ),
        FeatureGroup("history_study", "history without the push-outcome features (the study's list)", stored=False),
    )
}

_SPANS = frozenset({"ExampleGen", "StatisticsGen"})  # the spans and their statistics
_PRE = frozenset(SHAPE_GROUPS["pre"])
_VALIDATED = _PRE | {"Trainer", "Evaluator", "InfraValidator", "ModelValidator"}

# cheapest first: the study's Table 3 steps, then the ablations (the study's RF:History, RF:Shape,
# RF:Model-Type, and RF:Input without our push-outcome features)
SETS: dict[str, FeatureSet] = {
    s.name: s
    for s in (
        FeatureSet("input", ("model", "history"), _SPANS, True, 0.737, "model + history"),
        FeatureSet("input_pre", ("model", "history", "pre"), _PRE, True, 0.801, "+ pre-trainer shape"),
        FeatureSet(
            "input_pre_trainer",
            ("model", "history", "pre", "trainer"),
            _PRE | {"Trainer"},
            True,
            0.818,
            "+ trainer shape",
        ),
        FeatureSet(
            "validation",
            ("model", "history", "pre", "trainer", "post", "validation"),
            _VALIDATED,
            True,
            0.948,
            "+ post-trainer shape and validation outcomes",
        ),
        FeatureSet("history", ("history",), _SPANS, False, 0.738, "history alone"),
        FeatureSet("shape", ("pre", "trainer", "post"), _VALIDATED, False, 0.680, "all shape groups"),
        FeatureSet("model_type", ("model",), frozenset(), False, 0.592, "model group alone (configuration: cost 0)"),
        FeatureSet("input_study", ("model", "history_study"), _SPANS, False, 0.737, "input without push outcomes"),
    )
}

MAIN_SETS: tuple[str, ...] = tuple(name for name, s in SETS.items() if s.main)
ABLATIONS: tuple[str, ...] = tuple(name for name, s in SETS.items() if not s.main)


def query_groups() -> list[FeatureGroup]:
    """The stored groups whose columns come from their own query, in registry order."""
    return [g for g in GROUPS.values() if g.stored and g.query is not None]


def markdown_table() -> str:
    """The feature-set table of docs/predictor.md."""
    lines = ["| set | kind | groups | decision point: operators run before | study BA |", "|---|---|---|---|---:|"]
    for s in SETS.values():
        kinds = ", ".join(sorted(s.decision)) or "none (configuration)"
        role = "main" if s.main else "ablation"
        lines.append(f"| `{s.name}` | {role} | {' + '.join(s.groups)} | {kinds} | {s.study_ba:.3f} |")
    return "\n".join(lines) + "\n"
