"""Metadata records → graph rows: the transform every source shares.

A source reads its records (ids, type names, states, properties) and hands them to a ``Shaper``
bound to the warehouse store name and the operator map; the rows it returns are what the load
statements (``cypher/load/*``) and the bulk CSV writer take. Property keys keep MLMD's split:
registered properties become ``p_<name>``, custom ones ``c_<name>``, values keep their types.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlprov.loader import model
from mlprov.loader.operators import KUBEFLOW_NAME_PROPS, OperatorMap
from mlprov.loader.sources.base import Row

# MLMD's enums (metadata_store.proto), by number
EXECUTION_STATES = {1: "NEW", 2: "RUNNING", 3: "COMPLETE", 4: "FAILED", 5: "CACHED", 6: "CANCELED"}
ARTIFACT_STATES = {1: "PENDING", 2: "LIVE", 3: "MARKED_FOR_DELETION", 4: "DELETED", 5: "ABANDONED", 6: "REFERENCE"}
EVENT_TYPES = {
    1: "DECLARED_OUTPUT",
    2: "DECLARED_INPUT",
    3: "INPUT",
    4: "OUTPUT",
    5: "INTERNAL_INPUT",
    6: "INTERNAL_OUTPUT",
    7: "PENDING_OUTPUT",
}
INPUT_EVENT_TYPES = frozenset({"DECLARED_INPUT", "INPUT", "INTERNAL_INPUT"})
# Schema v5 TFX kept the execution state only in a registered `state` property.
STATE_PROPERTY = {
    "new": "RUNNING",
    "running": "RUNNING",
    "complete": "COMPLETE",
    "published": "COMPLETE",
    "cached": "CACHED",
    "failed": "FAILED",
    "canceled": "CANCELED",
    "cancelled": "CANCELED",
}
COST_PROPERTIES = ("cpu_seconds", "cpu_cost", "cpu_time", "cost")


def execution_cost(props: dict[str, Any], created: int, updated: int, state: str | None) -> tuple[float, str]:
    """An execution's cost and where it came from: 0 when cached, a cost property, else its duration (s)."""
    if state == "CACHED":
        return 0.0, "cached"
    for name in COST_PROPERTIES:
        for key in (f"c_{name}", f"p_{name}"):
            value = props.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value), name
    return max(0.0, (int(updated or 0) - int(created or 0)) / 1000.0), "duration"


class Shaper:
    """Shapes one store's records into graph rows (uids, labels, operator classification, costs)."""

    def __init__(self, store: str, operators: OperatorMap) -> None:
        self.store = store
        self.operators = operators

    def uid(self, prefix: str, mlmd_id: Any) -> str:
        return model.uid(self.store, prefix, mlmd_id)

    def context(self, cid: int, type_name: str, name: str | None, created: int, updated: int, props: Row) -> Row:
        node = {
            "uid": self.uid(model.CONTEXT.uid_prefix, cid),
            "store": self.store,
            "mlmd_id": int(cid),
            "type": type_name,
            "name": name,
            "created": created,
            "updated": updated,
            **props,
        }
        return {"uid": node["uid"], "props": node, "labels": model.context_labels(type_name)}

    def execution(
        self,
        eid: int,
        type_name: str,
        state: str | None,
        name: str | None,
        created: int,
        updated: int,
        props: Row,
    ) -> Row:
        """``state``: MLMD's state name, or None (then a schema-v5 ``state`` property decides)."""
        step = next(
            (str(props[k]) for pre in ("c_", "p_") for prop in KUBEFLOW_NAME_PROPS if (k := pre + prop) in props),
            None,
        )
        op = self.operators.operator(type_name, step)
        if state is None and isinstance(props.get("p_state"), str):
            state = STATE_PROPERTY.get(str(props["p_state"]).lower())
        cost, cost_source = execution_cost(props, created, updated, state)
        node = {
            "uid": self.uid(model.EXECUTION.uid_prefix, eid),
            "store": self.store,
            "mlmd_id": int(eid),
            "type": type_name,
            "type_short": type_name.rsplit(".", 1)[-1],
            "kind": op.kind,
            "stage": op.stage,
            "category": op.category,
            "state": state,
            "name": name,
            "created": created,
            "updated": updated,
            "cost": cost,
            "cost_source": cost_source,
            **props,
        }
        return {"uid": node["uid"], "props": node}

    def artifact(
        self,
        aid: int,
        type_name: str,
        uri: str | None,
        state: str | None,
        name: str | None,
        created: int,
        updated: int,
        props: Row,
    ) -> Row:
        span = props.get("p_span", props.get("c_span"))
        node = {
            "uid": self.uid(model.ARTIFACT.uid_prefix, aid),
            "store": self.store,
            "mlmd_id": int(aid),
            "type": type_name,
            "kind": type_name.rsplit(".", 1)[-1],
            "uri": uri,
            "state": state,
            "name": name,
            "span": span if isinstance(span, int) else None,
            "created": created,
            "updated": updated,
            **props,
        }
        return {"uid": node["uid"], "props": node}

    def event(self, event_id: int, aid: int, xid: int, event_type: str, ms: int | None, path: Sequence[str]) -> Row:
        """An :INPUT (artifact → execution) or :OUTPUT row; ``is_input(event_type)`` says which."""
        event_uid = self.uid(model.EVENT_UID_PREFIX, event_id)
        return {
            "uid": event_uid,
            model.INPUT.start: self.uid(model.ARTIFACT.uid_prefix, aid),
            model.INPUT.end: self.uid(model.EXECUTION.uid_prefix, xid),
            "props": {
                "uid": event_uid,
                "mlmd_id": int(event_id),
                "event_type": event_type,
                "time": ms,
                "path": list(path),
            },
        }

    def association(self, xid: int, cid: int) -> Row:
        return {
            model.ASSOCIATION.start: self.uid(model.EXECUTION.uid_prefix, xid),
            model.ASSOCIATION.end: self.uid(model.CONTEXT.uid_prefix, cid),
        }

    def attribution(self, aid: int, cid: int) -> Row:
        return {
            model.ATTRIBUTION.start: self.uid(model.ARTIFACT.uid_prefix, aid),
            model.ATTRIBUTION.end: self.uid(model.CONTEXT.uid_prefix, cid),
        }

    def parent_context(self, child: int, parent: int) -> Row:
        return {
            model.PARENT_CONTEXT.start: self.uid(model.CONTEXT.uid_prefix, child),
            model.PARENT_CONTEXT.end: self.uid(model.CONTEXT.uid_prefix, parent),
        }


def is_input(event_type: str) -> bool:
    """Whether an event of this type is an input of its execution."""
    return event_type in INPUT_EVENT_TYPES
