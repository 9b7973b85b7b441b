"""Operator kind, stage and category of an MLMD execution type: a documented, extendable mapping.

The kind is decided from the type name's last dotted component (``tfx.components.trainer.component.
Trainer`` → ``Trainer``): first an exact table of TFX component names, then ordered glob rules
(``*ExampleGen`` → ExampleGen, ``*Trainer*`` → Trainer, ...), anything else is ``Custom``.
Kubeflow Pipelines v2 records every step as ``system.ContainerExecution`` (or ``system.DAGExecution``
/ ``system.ImporterExecution``); for those the step's ``display_name``/``task_name`` property is
mapped with the same rules.

Users extend or override the mapping with a TOML file, given by ``--operators FILE``, the
``MLPROV_OPERATORS`` variable, or ``$MLPROV_HOME/operators.toml``::

    [kinds]
    "__main__.MyTrainerComponent" = "Trainer"   # exact full or short type name
    "*Scorer" = "Evaluator"                      # glob on the short name

User rules are tried before the built-in ones.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mlprov.errors import ConfigError
from mlprov.settings import mlprov_home

KINDS = (
    "ExampleGen",
    "StatisticsGen",
    "SchemaGen",
    "ExampleValidator",
    "Transform",
    "Tuner",
    "Trainer",
    "Evaluator",
    "InfraValidator",
    "ModelValidator",
    "Pusher",
    "Custom",
)

STAGES: dict[str, str | None] = {
    "ExampleGen": "ingest",
    "StatisticsGen": "data-validation",
    "SchemaGen": "data-validation",
    "ExampleValidator": "data-validation",
    "Transform": "preprocessing",
    "Tuner": "training",
    "Trainer": "training",
    "Evaluator": "model-validation",
    "InfraValidator": "model-validation",
    "ModelValidator": "model-validation",
    "Pusher": "deployment",
    "Custom": None,
}

CATEGORIES: dict[str, str | None] = {
    "ExampleGen": "pre-trainer",
    "StatisticsGen": "pre-trainer",
    "SchemaGen": "pre-trainer",
    "ExampleValidator": "pre-trainer",
    "Transform": "pre-trainer",
    "Tuner": "pre-trainer",
    "Trainer": "trainer",
    "Evaluator": "post-trainer",
    "InfraValidator": "post-trainer",
    "ModelValidator": "post-trainer",
    "Pusher": "post-trainer",
    "Custom": None,
}

_EXACT = {
    "ExampleGen": "ExampleGen",
    "CsvExampleGen": "ExampleGen",
    "ImportExampleGen": "ExampleGen",
    "BigQueryExampleGen": "ExampleGen",
    "FileBasedExampleGen": "ExampleGen",
    "StatisticsGen": "StatisticsGen",
    "SchemaGen": "SchemaGen",
    "ImportSchemaGen": "SchemaGen",
    "ExampleValidator": "ExampleValidator",
    "Transform": "Transform",
    "Tuner": "Tuner",
    "Trainer": "Trainer",
    "Evaluator": "Evaluator",
    "InfraValidator": "InfraValidator",
    "ModelValidator": "ModelValidator",
    "Pusher": "Pusher",
}

_GLOBS = (
    ("*ExampleGen", "ExampleGen"),
    ("*StatisticsGen*", "StatisticsGen"),
    ("*SchemaGen*", "SchemaGen"),
    ("*ExampleValidator*", "ExampleValidator"),
    ("*InfraValidator*", "InfraValidator"),
    ("*ModelValidator*", "ModelValidator"),
    ("*Trainer*", "Trainer"),
    ("*Tuner*", "Tuner"),
    ("*Transform*", "Transform"),
    ("*Evaluator*", "Evaluator"),
    ("*Pusher*", "Pusher"),
)

KUBEFLOW_GENERIC = {"system.ContainerExecution", "system.DAGExecution", "system.ImporterExecution"}
KUBEFLOW_NAME_PROPS = ("display_name", "task_name")


@dataclass(frozen=True)
class Operator:
    kind: str
    stage: str | None
    category: str | None


@dataclass
class OperatorMap:
    """Maps an execution type name (plus, for Kubeflow, its step name) to an :class:`Operator`."""

    user_rules: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> OperatorMap:
        """The built-in mapping extended by the user's TOML file, if any."""
        candidates = [path] if path else []
        env = os.environ.get("MLPROV_OPERATORS")
        if env and not path:
            candidates.append(Path(env))
        default = mlprov_home() / "operators.toml"
        if not path and not env and default.exists():
            candidates.append(default)
        rules: list[tuple[str, str]] = []
        for file in candidates:
            try:
                data = tomllib.loads(file.read_text())
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{file}: cannot read the operator mapping ({exc})") from None
            for pattern, kind in dict(data.get("kinds", {})).items():
                if kind not in KINDS:
                    raise ConfigError(f"{file}: {pattern!r} maps to unknown kind {kind!r} (known: {', '.join(KINDS)})")
                rules.append((str(pattern), str(kind)))
        return cls(rules)

    def kind_of_name(self, type_name: str) -> str:
        short = type_name.rsplit(".", 1)[-1]
        for pattern, kind in self.user_rules:
            if (
                pattern in (type_name, short)
                or fnmatch.fnmatchcase(short, pattern)
                or fnmatch.fnmatchcase(type_name, pattern)
            ):
                return kind
        if short in _EXACT:
            return _EXACT[short]
        lowered = short.lower()
        for pattern, kind in _GLOBS:
            if fnmatch.fnmatchcase(lowered, pattern.lower()):
                return kind
        return "Custom"

    def operator(self, type_name: str, step_name: str | None = None) -> Operator:
        name = type_name
        if type_name in KUBEFLOW_GENERIC and step_name:
            name = "".join(part.capitalize() for part in step_name.replace("_", "-").split("-"))
        kind = self.kind_of_name(name)
        return Operator(kind, STAGES[kind], CATEGORIES[kind])
