"""The graph model of an MLMD store: the one definition both writers draw from.

The transactional loader (``cypher/load/*``) and the bulk loader (``loader/bulk.py``, CSV files for
``neo4j-admin database import``) write the rows ``loader/transform.py`` shapes. What becomes which node
label or relationship type, which properties each carries, how uids are formed and which keys of a row
name a relationship's ends is defined here; ``tests/test_bulk_load.py`` checks that the load statements
use these names, ``tests/test_graph_model.py`` that the shaped rows carry exactly these properties and
that docs/graph-model.md is rendered from here (``python -m mlprov.loader.model``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlprov import docgen

STORE_LABEL = "Store"
PIPELINE_CONTEXT_TYPES = frozenset({"pipeline", "system.Pipeline"})
RUN_CONTEXT_TYPES = frozenset({"run", "pipeline_run", "system.PipelineRun"})


@dataclass(frozen=True)
class Prop:
    """A property the loader writes: its name, Neo4j type and what it means."""

    name: str
    type: str
    meaning: str


@dataclass(frozen=True)
class NodeKind:
    """MLMD rows of one table as nodes: ``table`` names the reader pass and the load statements."""

    table: str
    label: str
    uid_prefix: str
    properties: tuple[Prop, ...] = ()


@dataclass(frozen=True)
class RelKind:
    """MLMD rows of one table as relationships from the row's ``start`` uid to its ``end`` uid."""

    table: str
    type: str
    start: str
    end: str
    properties: tuple[Prop, ...] = ()


_COMMON = (
    Prop("uid", "String", "`<store>:<prefix>:<MLMD id>`: unique in the warehouse (constraint)"),
    Prop("store", "String", "the warehouse store it was loaded from"),
    Prop("mlmd_id", "Integer", "its id in the MLMD store"),
    Prop("type", "String", "the MLMD type name"),
)
_TIMES = (
    Prop("created", "Integer", "MLMD create time, ms since the epoch"),
    Prop("updated", "Integer", "MLMD last update time, ms since the epoch"),
)
CONTEXT = NodeKind(
    "contexts",
    "Context",
    "c",
    (*_COMMON, Prop("name", "String", "the context's name (pipeline or run name)"), *_TIMES),
)
EXECUTION = NodeKind(
    "executions",
    "Execution",
    "e",
    (
        *_COMMON,
        Prop("type_short", "String", "the type name's last dotted component"),
        Prop("kind", "String", "operator kind (`Trainer`, `Pusher`, ..., `Custom`), see loader/operators.py"),
        Prop("stage", "String", "pipeline stage of the kind (`ingestion`, `training`, ...)"),
        Prop("category", "String", "the study's operator category of the kind"),
        Prop("state", "String", "`COMPLETE`, `FAILED`, `CACHED`, `RUNNING`, `CANCELED`, `NEW` or null"),
        Prop("name", "String", "the execution's name"),
        *_TIMES,
        Prop("cost", "Float", "compute cost: a cost property, else the duration in seconds; 0 when cached"),
        Prop("cost_source", "String", "where `cost` came from (`cpu_seconds`, ..., `duration`, `cached`)"),
    ),
)
ARTIFACT = NodeKind(
    "artifacts",
    "Artifact",
    "a",
    (
        *_COMMON,
        Prop("kind", "String", "the type name's last dotted component (`Examples`, `Model`, ...)"),
        Prop("uri", "String", "where the artifact's payload lives"),
        Prop("state", "String", "`LIVE`, `PENDING`, `DELETED`, ... or null"),
        Prop("name", "String", "the artifact's name"),
        Prop("span", "Integer", "the `span` property of input data (rolling windows), else null"),
        *_TIMES,
    ),
)
NODES = (CONTEXT, EXECUTION, ARTIFACT)
EVENT_UID_PREFIX = "ev"
# written after the rows, by cypher/load/execution_pipelines.cypher
DERIVED = {
    EXECUTION.label: (
        Prop("pipeline", "String", "name of the :Pipeline context the execution belongs to (null: none)"),
    )
}

_EVENT = (
    Prop("uid", "String", "`<store>:ev:<MLMD event id>`"),
    Prop("mlmd_id", "Integer", "the MLMD event id"),
    Prop("event_type", "String", "MLMD event type (`INPUT`, `OUTPUT`, `DECLARED_INPUT`, ...)"),
    Prop("time", "Integer", "event time, ms since the epoch"),
    Prop("path", "List<String>", 'the event path (keys and indexes), e.g. `["examples", "0"]`'),
)
INPUT = RelKind("inputs", "INPUT", "artifact", "execution", _EVENT)
OUTPUT = RelKind("outputs", "OUTPUT", "execution", "artifact", _EVENT)
ASSOCIATION = RelKind("associations", "IN_CONTEXT", "node", "context")
ATTRIBUTION = RelKind("attributions", "IN_CONTEXT", "node", "context")
PARENT_CONTEXT = RelKind("parent_contexts", "CHILD_OF", "child", "parent")
RELATIONSHIPS = (INPUT, OUTPUT, ASSOCIATION, ATTRIBUTION, PARENT_CONTEXT)
_ENDS = {
    INPUT: "(:Artifact)-[:INPUT]->(:Execution)",
    OUTPUT: "(:Execution)-[:OUTPUT]->(:Artifact)",
    ASSOCIATION: "(:Execution)-[:IN_CONTEXT]->(:Context)",
    ATTRIBUTION: "(:Artifact)-[:IN_CONTEXT]->(:Context)",
    PARENT_CONTEXT: "(:Context)-[:CHILD_OF]->(:Context)",
}
_FROM = {
    INPUT: "MLMD events of an input type",
    OUTPUT: "MLMD events of an output type",
    ASSOCIATION: "MLMD `Association` rows",
    ATTRIBUTION: "MLMD `Attribution` rows",
    PARENT_CONTEXT: "MLMD `ParentContext` rows",
}


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


BLOCK = "graph-model"


def markdown() -> str:
    """docs/graph-model.md's generated block: every label and relationship type with its properties."""
    out: list[str] = []
    for kind in NODES:
        extra = " (plus `:Pipeline` or `:Run` by its MLMD type)" if kind is CONTEXT else ""
        out += [f"### `:{kind.label}`{extra}", "", "| property | type | meaning |", "|---|---|---|"]
        out += [f"| `{p.name}` | {p.type} | {p.meaning} |" for p in (*kind.properties, *DERIVED.get(kind.label, ()))]
        out += ["| `p_<name>` / `c_<name>` | as in MLMD | registered / custom MLMD properties, with their types |", ""]
    out += ["### Relationships", "", "| pattern | from | properties |", "|---|---|---|"]
    for rel in RELATIONSHIPS:
        props = ", ".join(f"`{p.name}`" for p in rel.properties) or "none"
        out.append(f"| `{_ENDS[rel]}` | {_FROM[rel]} | {props} |")
    return "\n".join(out)


if __name__ == "__main__":
    page = docgen.DOCS / "graph-model.md"
    print(f"{page}: {'updated' if docgen.update(page, BLOCK, markdown()) else 'already in sync'}")
