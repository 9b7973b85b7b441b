"""The graph model is defined once (loader/model.py): the shaped rows, the loaded graph and the docs page
all follow it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from mlprov import docgen
from mlprov.db import Warehouse
from mlprov.loader import model
from mlprov.loader.load import Loader
from mlprov.loader.operators import OperatorMap
from mlprov.loader.transform import Shaper

STORE = "redwine_pushers_v10"


def _declared(kind: model.NodeKind) -> set[str]:
    return {p.name for p in (*kind.properties, *model.DERIVED.get(kind.label, ()))}


def test_shaped_rows_carry_exactly_the_declared_properties() -> None:
    shape = Shaper("s", OperatorMap())
    rows = {
        model.CONTEXT: shape.context(1, "pipeline", "p", 1, 2, {"p_x": 1}),
        model.EXECUTION: shape.execution(1, "Trainer", "COMPLETE", "t", 1, 2, {"c_y": "v"}),
        model.ARTIFACT: shape.artifact(1, "Model", "/m", "LIVE", None, 1, 2, {}),
    }
    for kind, row in rows.items():
        own = {k for k in row["props"] if not k.startswith(("p_", "c_"))}
        assert own == {p.name for p in kind.properties}, kind.label
    event = shape.event(1, 2, 3, "INPUT", 5, ["examples", "0"])
    assert set(event["props"]) == {p.name for p in model.INPUT.properties}
    assert {event[model.INPUT.start], event[model.INPUT.end]} == {"s:a:2", "s:e:3"}


def test_a_loaded_store_has_only_declared_properties(warehouse: Warehouse, fixture_store) -> None:  # type: ignore[no-untyped-def]
    path: Path = fixture_store(f"{STORE}.sqlite")
    Loader(warehouse).load(str(path), store=STORE)
    found: dict[str, set[str]] = defaultdict(set)
    for row in warehouse.read("admin/store_nodes", store=STORE):
        label = next(label for label in row["labels"] if label in {k.label for k in model.NODES})
        found[label].update(k for k in row["props"] if not k.startswith(("p_", "c_")))
    for kind in model.NODES:
        assert found[kind.label] <= _declared(kind), (
            f":{kind.label} has undeclared {found[kind.label] - _declared(kind)}"
        )
        # every declared property is there on some node (null values are not stored; these never are null here)
        assert {"uid", "store", "mlmd_id", "type", "created", "updated"} <= found[kind.label]
    assert "pipeline" in found["Execution"] and "cost" in found["Execution"]


def test_docs_page_is_rendered_from_the_model() -> None:
    text = (docgen.DOCS / "graph-model.md").read_text(encoding="utf-8")
    assert docgen.section(text, model.BLOCK) == docgen.wrap(model.BLOCK, model.markdown()), (
        "docs/graph-model.md is stale: run `python -m mlprov.loader.model`"
    )
    for kind in model.NODES:
        for prop in kind.properties:
            assert f"| `{prop.name}` |" in text
