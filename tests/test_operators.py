"""The operator mapping on a store written with ml-metadata in the test: the built-in TFX names, the
Kubeflow Pipelines v2 ``system.ContainerExecution`` steps (kind from the step's ``display_name`` /
``task_name``), and the user's overrides from ``--operators``, ``MLPROV_OPERATORS`` and
``$MLPROV_HOME/operators.toml`` (in that order of precedence), each through `mlprov load`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlprov.db import Warehouse
from mlprov.settings import Connection
from tests.conftest import elsewhere_env, run_cli
from tests.mlmd_builder import MlmdBuilder

KFP = "system.ContainerExecution"
# (type name, step-name property or None) of each execution, in id order
STEPS: list[tuple[str, dict[str, str]]] = [
    ("Trainer", {}),  # TFX full type name -> Trainer
    (KFP, {"display_name": "trainer"}),  # a Kubeflow v2 step named like the TFX component
    (KFP, {"task_name": "model-evaluator"}),  # task_name, kebab case -> ModelEvaluator -> *Evaluator*
    (KFP, {"display_name": "my-scorer"}),  # no built-in rule: Custom unless the user maps *Scorer
    (KFP, {}),  # a Kubeflow step without a name: Custom
    ("__main__.MyFeaturizer", {}),  # a custom component: Custom unless mapped by its full name
    ("system.DAGExecution", {"display_name": "statistics-gen"}),  # -> StatisticsGen
]
DEFAULT = ["Trainer", "Trainer", "Evaluator", "Custom", "Custom", "Custom", "StatisticsGen"]
CATEGORY = {
    **dict.fromkeys(("ExampleGen", "StatisticsGen", "Transform", "Tuner"), "pre-trainer"),
    "Trainer": "trainer",
    **dict.fromkeys(("Evaluator", "Pusher"), "post-trainer"),
}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    b = MlmdBuilder()
    for i, (kind, props) in enumerate(STEPS):
        b.step(kind, 10.0 * i, 10.0 * i + 5, outputs=["Model"], props=props)
    return b.write(tmp_path / "kfp.sqlite")


def kinds(wh: Warehouse, store: str) -> list[str]:
    rows = [n["props"] for n in wh.read("admin/store_nodes", store=store) if "Execution" in n["labels"]]
    assert len(rows) == len(STEPS)
    got = [r["kind"] for r in sorted(rows, key=lambda r: r["mlmd_id"])]
    for r in rows:  # the category follows the kind (Custom has none)
        assert r.get("category") == CATEGORY.get(r["kind"]), r
    return got


def toml(path: Path, rules: dict[str, str]) -> Path:
    path.write_text("[kinds]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in rules.items()))
    return path


def test_kubeflow_steps_and_every_override_source(
    warehouse: Warehouse, neo4j_connection: Connection, store: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = elsewhere_env(neo4j_connection, home)

    def load(name: str, *args: str, **extra: str) -> None:
        res = run_cli("load", str(store), "--store-name", name, *args, env={**env, **extra})
        assert res.returncode == 0, res.stderr

    load("builtin")
    assert kinds(warehouse, "builtin") == DEFAULT

    flag = toml(tmp_path / "flag.toml", {"*Scorer": "Evaluator", "__main__.MyFeaturizer": "Transform"})
    variable = toml(tmp_path / "variable.toml", {"*Scorer": "Tuner"})
    toml(home / "operators.toml", {"*Scorer": "Pusher", "*Featurizer": "ExampleGen"})

    # $MLPROV_HOME/operators.toml applies when nothing else is given
    load("home")
    home_kinds = [*DEFAULT]
    home_kinds[3], home_kinds[5] = "Pusher", "ExampleGen"
    assert kinds(warehouse, "home") == home_kinds
    # MLPROV_OPERATORS replaces the home file
    load("variable", MLPROV_OPERATORS=str(variable))
    var_kinds = [*DEFAULT]
    var_kinds[3] = "Tuner"
    assert kinds(warehouse, "variable") == var_kinds
    # --operators wins over both; user rules come before the built-in ones
    load("flag", "--operators", str(flag), MLPROV_OPERATORS=str(variable))
    flag_kinds = [*DEFAULT]
    flag_kinds[3], flag_kinds[5] = "Evaluator", "Transform"
    assert kinds(warehouse, "flag") == flag_kinds


def test_bad_operator_mapping_is_one_line_and_loads_nothing(
    warehouse: Warehouse, neo4j_connection: Connection, store: Path, tmp_path: Path
) -> None:
    env = elsewhere_env(neo4j_connection, tmp_path / "home")
    unknown = toml(tmp_path / "unknown.toml", {"*Scorer": "Scorer"})
    broken = tmp_path / "broken.toml"
    broken.write_text("[kinds\n")
    for args, extra, needle in (
        (("--operators", str(unknown)), {}, "unknown kind 'Scorer'"),
        ((), {"MLPROV_OPERATORS": str(broken)}, "cannot read the operator mapping"),
        (("--operators", str(tmp_path / "missing.toml")), {}, "cannot read the operator mapping"),
    ):
        res = run_cli("load", str(store), "--store-name", "bad", *args, env={**env, **extra})
        assert res.returncode == 2, res.stderr
        assert needle in res.stderr and res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
        assert not warehouse.read("load/store_get", name="bad")
