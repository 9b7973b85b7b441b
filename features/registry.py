"""The one registry of the push predictor's feature groups and feature sets (docs/predictor.md).

The frame (features/frame.py) computes the columns of every group, training and evaluation take a
set's columns, decision point and the study's balanced accuracy from here, the CLI and the app list
the sets from here, and the feature-set table of docs/predictor.md is :func:`markdown_table` (a test
keeps the page equal to it). Adding a group: an entry in :data:`GROUPS`, its columns in
``frame.group_columns`` and the values in ``frame.compute_frame``; adding a set: an entry in :data:`SETS`.
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
        FeatureGroup("validation", "mean blessed flag of the ModelBlessing / InfraBlessing artifacts"),
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

FEATURE_SETS: dict[str, tuple[str, ...]] = {name: s.groups for name, s in SETS.items()}
MAIN_SETS: tuple[str, ...] = tuple(name for name, s in SETS.items() if s.main)
ABLATIONS: tuple[str, ...] = tuple(name for name, s in SETS.items() if not s.main)
DECISION_KINDS: dict[str, frozenset[str]] = {name: s.decision for name, s in SETS.items()}
STORED_GROUPS: tuple[str, ...] = tuple(name for name, g in GROUPS.items() if g.stored)


def markdown_table() -> str:
    """The feature-set table of docs/predictor.md."""
    lines = ["| set | kind | groups | decision point: operators run before | study BA |", "|---|---|---|---|---:|"]
    for s in SETS.values():
        kinds = ", ".join(sorted(s.decision)) or "none (configuration)"
        role = "main" if s.main else "ablation"
        lines.append(f"| `{s.name}` | {role} | {' + '.join(s.groups)} | {kinds} | {s.study_ba:.3f} |")
    return "\n".join(lines) + "\n"
