"""The graph model of an MLMD store: the one definition both writers draw from.

The transactional loader (``cypher/load/*``) and the bulk loader (``loader/bulk.py``, CSV files for
``neo4j-admin database import``) write the rows ``loader/mlmd.py`` shapes. What becomes which node
label or relationship type, how uids are formed and which keys of a row name a relationship's ends
is defined here; ``tests/test_bulk_load.py`` checks that the load statements use these names.
"""

from __future__ import annotations

from dataclasses import dataclass

STORE_LABEL = "Store"
PIPELINE_CONTEXT_TYPES = frozenset({"pipeline", "system.Pipeline"})
RUN_CONTEXT_TYPES = frozenset({"run", "pipeline_run", "system.PipelineRun"})


@dataclass(frozen=True)
class NodeKind:
    """MLMD rows of one table as nodes: ``table`` names the reader pass and the load statements."""

    table: str
    label: str
    uid_prefix: str


@dataclass(frozen=True)
class RelKind:
    """MLMD rows of one table as relationships from the row's ``start`` uid to its ``end`` uid."""

    table: str
    type: str
    start: str
    end: str


CONTEXT = NodeKind("contexts", "Context", "c")
EXECUTION = NodeKind("executions", "Execution", "e")
ARTIFACT = NodeKind("artifacts", "Artifact", "a")
NODES = (CONTEXT, EXECUTION, ARTIFACT)
EVENT_UID_PREFIX = "ev"

INPUT = RelKind("inputs", "INPUT", "artifact", "execution")
OUTPUT = RelKind("outputs", "OUTPUT", "execution", "artifact")
ASSOCIATION = RelKind("associations", "IN_CONTEXT", "node", "context")
ATTRIBUTION = RelKind("attributions", "IN_CONTEXT", "node", "context")
PARENT_CONTEXT = RelKind("parent_contexts", "CHILD_OF", "child", "parent")
RELATIONSHIPS = (INPUT, OUTPUT, ASSOCIATION, ATTRIBUTION, PARENT_CONTEXT)


def uid(store: str, prefix: str, mlmd_id: object) -> str:
    """The warehouse-wide id of an MLMD row: store name, kind prefix and the row's MLMD id."""
    return f"{store}:{prefix}:{mlmd_id}"


def context_labels(type_name: str) -> list[str]:
    """The extra labels of a context: :Pipeline or :Run by its MLMD type name."""
    if type_name in PIPELINE_CONTEXT_TYPES:
        return ["Pipeline"]
    if type_name in RUN_CONTEXT_TYPES:
        return ["Run"]
    return []
