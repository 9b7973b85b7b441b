"""Bulk writer for MLMD SQLite stores (schema version 10, as ml-metadata 1.17 creates them).

The store is created by the official ``ml-metadata`` library (so the DDL, the built-in ``mlmd.*``
types and the ``MLMDEnv`` row are its own), the TFX types are registered through its API
(``put_execution_type`` / ``put_artifact_type`` / ``put_context_type``, giving the ``Type``,
``TypeProperty`` and ``ParentType`` rows), and then every execution, artifact, event, context,
association and attribution is bulk-inserted with batched ``sqlite3`` INSERTs into those tables.
Ids are assigned here, in creation order, so the same calls give byte-identical files.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Enum values of ml-metadata's protos (metadata_store.proto).
STATE_COMPLETE = 3
STATE_FAILED = 4
STATE_CACHED = 5
STATE_CANCELED = 6
EVENT_INPUT = 3
EVENT_OUTPUT = 4
ARTIFACT_LIVE = 2

# short key -> (MLMD type name, ExecutionType.SystemDefinedBaseType or 0)
EXECUTION_TYPES: dict[str, tuple[str, int]] = {
    "CsvExampleGen": ("tfx.components.example_gen.csv_example_gen.component.CsvExampleGen", 0),
    "BigQueryExampleGen": (
        "tfx.extensions.google_cloud_big_query.example_gen.component.BigQueryExampleGen",
        0,
    ),
    "ImportExampleGen": ("tfx.components.example_gen.import_example_gen.component.ImportExampleGen", 0),
    "StatisticsGen": ("tfx.components.statistics_gen.component.StatisticsGen", 3),
    "SchemaGen": ("tfx.components.schema_gen.component.SchemaGen", 3),
    "ExampleValidator": ("tfx.components.example_validator.component.ExampleValidator", 0),
    "Transform": ("tfx.components.transform.component.Transform", 2),
    "Tuner": ("tfx.components.tuner.component.Tuner", 0),
    "Trainer": ("tfx.components.trainer.component.Trainer", 1),
    "Evaluator": ("tfx.components.evaluator.component.Evaluator", 4),
    "InfraValidator": ("tfx.components.infra_validator.component.InfraValidator", 0),
    "Pusher": ("tfx.components.pusher.component.Pusher", 5),
}

_INT, _STRING = 1, 3  # ml_metadata PropertyType
# name -> (ArtifactType.SystemDefinedBaseType or 0, registered properties)
ARTIFACT_TYPES: dict[str, tuple[int, dict[str, int]]] = {
    "Examples": (1, {"span": _INT, "version": _INT, "split_names": _STRING}),
    "ExampleStatistics": (4, {"span": _INT, "split_names": _STRING}),
    "Schema": (0, {}),
    "ExampleAnomalies": (0, {"span": _INT, "split_names": _STRING}),
    "TransformGraph": (0, {}),
    "HyperParameters": (0, {}),
    "Model": (2, {}),
    "ModelRun": (0, {}),
    "ModelEvaluation": (0, {}),
    "ModelBlessing": (0, {}),
    "InfraBlessing": (0, {}),
    "PushedModel": (2, {}),
}
CONTEXT_TYPES = ("pipeline", "pipeline_run", "node")

PropValue = int | float | str
# (name, value, is_custom)
Props = list[tuple[str, PropValue, int]]


def create_store(path: Path) -> dict[str, int]:
    """Create an empty store with ml-metadata and register the TFX types; return type name -> id."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    pb: Any = metadata_store_pb2  # generated protobuf module: no static types

    if path.exists():
        path.unlink()
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    store = metadata_store.MetadataStore(config)
    ids: dict[str, int] = {}
    for name in CONTEXT_TYPES:
        ids[name] = store.put_context_type(pb.ContextType(name=name))
    for key, (name, base) in EXECUTION_TYPES.items():
        et = pb.ExecutionType(name=name)
        if base:
            et.base_type = base
        ids[key] = store.put_execution_type(et)
    for name, (base, props) in ARTIFACT_TYPES.items():
        at = pb.ArtifactType(name=name)
        if base:
            at.base_type = base
        ids[name] = store.put_artifact_type(at)
        # One property per call: ml-metadata writes a type's properties in protobuf-map order, which
        # varies between processes; adding them one by one keeps the file byte-identical.
        for pname, ptype in props.items():
            at.properties[pname] = ptype
            store.put_artifact_type(at, can_add_fields=True)
    del store
    return ids


class StoreWriter:
    """Buffers MLMD rows for one store and writes them in batches."""

    BATCH_ROWS = 400_000

    def __init__(self, path: Path) -> None:
        self.path = path
        self.type_ids = create_store(path)
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA journal_mode=MEMORY")
        self.next_id = {"Execution": 1, "Artifact": 1, "Context": 1, "Event": 1, "Association": 1, "Attribution": 1}
        self.rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in _INSERTS}
        self.counts: dict[str, int] = {k: 0 for k in _INSERTS}
        self._pending = 0
        self._flushes = 0
        self.run_names: dict[str, None] = {}  # pipeline_run names in use (insertion-ordered, for rollback)
        self._ctx_rows: dict[int, list[Any]] = {}

    # -- allocation -------------------------------------------------------------------------------
    def _id(self, table: str) -> int:
        i = self.next_id[table]
        self.next_id[table] = i + 1
        return i

    def _add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)
        self._pending += 1

    def execution(self, type_key: str, state: int, name: str, start: int, end: int, props: Props) -> int:
        eid = self._id("Execution")
        self._add("Execution", (eid, self.type_ids[type_key], state, name, start, end))
        for pname, value, custom in props:
            self._add("ExecutionProperty", _prop_row(eid, pname, value, custom))
        return eid

    def artifact(self, type_name: str, uri: str, time: int, props: Props) -> int:
        aid = self._id("Artifact")
        self._add("Artifact", (aid, self.type_ids[type_name], uri, ARTIFACT_LIVE, time, time))
        for pname, value, custom in props:
            self._add("ArtifactProperty", _prop_row(aid, pname, value, custom))
        return aid

    def context(self, type_name: str, name: str, created: int) -> int:
        cid = self._id("Context")
        row = [cid, self.type_ids[type_name], name, created, created]
        self._ctx_rows[cid] = row
        self._add("Context", tuple(row))  # replaced by the (possibly touched) list at flush time
        return cid

    def touch_context(self, context_id: int, updated: int) -> None:
        """Move a buffered context's last-update time (contexts stay buffered until the next flush)."""
        row = self._ctx_rows[context_id]
        if updated > row[4]:
            row[4] = updated

    def event(self, artifact_id: int, execution_id: int, etype: int, ms: int, key: str, index: int) -> None:
        ev = self._id("Event")
        self._add("Event", (ev, artifact_id, execution_id, etype, ms))
        self._add("EventPath", (ev, 0, None, key))
        self._add("EventPath", (ev, 1, index, None))

    def association(self, context_id: int, execution_id: int) -> None:
        self._add("Association", (self._id("Association"), context_id, execution_id))

    def attribution(self, context_id: int, artifact_id: int) -> None:
        self._add("Attribution", (self._id("Attribution"), context_id, artifact_id))

    def parent_context(self, child: int, parent: int) -> None:
        self._add("ParentContext", (child, parent))

    # -- rollback (the generator's corpus filter drops a simulated pipeline) ------------------------
    def mark(self) -> WriterMark:
        """The writer's state before a pipeline is simulated; :meth:`rollback` returns to it."""
        rows = {k: len(v) for k, v in self.rows.items()}
        return WriterMark(self._flushes, dict(self.next_id), rows, self._pending, len(self.run_names))

    def rollback(self, mark: WriterMark) -> None:
        """Forget every row buffered since ``mark`` (the ids are handed out again). Only rows not yet
        flushed can be forgotten: the caller flushes between pipelines, never inside one."""
        if self._flushes != mark.flushes:
            raise RuntimeError("the writer flushed since the mark: its rows can no longer be rolled back")
        for table, n in mark.rows.items():
            del self.rows[table][n:]
        for cid in range(mark.next_id["Context"], self.next_id["Context"]):
            self._ctx_rows.pop(cid, None)
        for name in list(self.run_names)[mark.run_names :]:
            del self.run_names[name]
        self.next_id = dict(mark.next_id)
        self._pending = mark.pending

    # -- writing ----------------------------------------------------------------------------------
    def maybe_flush(self) -> None:
        if self._pending >= self.BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN")
        for table, sql in _INSERTS.items():
            rows = self.rows[table]
            if rows:
                if table == "Context":
                    rows = [tuple(self._ctx_rows[r[0]]) for r in rows]
                cur.executemany(sql, rows)
                self.counts[table] += len(rows)
                self.rows[table] = []
        cur.execute("COMMIT")
        self._pending = 0
        self._ctx_rows = {}
        self._flushes += 1

    def close(self) -> None:
        self.flush()
        self.conn.close()


@dataclass(frozen=True)
class WriterMark:
    """What :meth:`StoreWriter.rollback` needs: the next ids, the buffered row counts, the run names."""

    flushes: int
    next_id: dict[str, int]
    rows: dict[str, int]
    pending: int
    run_names: int


def _prop_row(owner: int, name: str, value: PropValue, custom: int) -> tuple[Any, ...]:
    if isinstance(value, bool):  # pragma: no cover - not used; bools are written as ints like TFX
        value = int(value)
    if isinstance(value, int):
        return (owner, name, custom, value, None, None)
    if isinstance(value, float):
        return (owner, name, custom, None, value, None)
    return (owner, name, custom, None, None, value)


_INSERTS: dict[str, str] = {
    "Context": "INSERT INTO Context (id, type_id, name, create_time_since_epoch, "
    "last_update_time_since_epoch) VALUES (?,?,?,?,?)",
    "ParentContext": "INSERT INTO ParentContext (context_id, parent_context_id) VALUES (?,?)",
    "Execution": "INSERT INTO Execution (id, type_id, last_known_state, name, create_time_since_epoch, "
    "last_update_time_since_epoch) VALUES (?,?,?,?,?,?)",
    "ExecutionProperty": "INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, int_value, "
    "double_value, string_value) VALUES (?,?,?,?,?,?)",
    "Artifact": "INSERT INTO Artifact (id, type_id, uri, state, create_time_since_epoch, "
    "last_update_time_since_epoch) VALUES (?,?,?,?,?,?)",
    "ArtifactProperty": "INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, int_value, "
    "double_value, string_value) VALUES (?,?,?,?,?,?)",
    "Event": "INSERT INTO Event (id, artifact_id, execution_id, type, milliseconds_since_epoch) VALUES (?,?,?,?,?)",
    "EventPath": "INSERT INTO EventPath (event_id, is_index_step, step_index, step_key) VALUES (?,?,?,?)",
    "Association": "INSERT INTO Association (id, context_id, execution_id) VALUES (?,?,?)",
    "Attribution": "INSERT INTO Attribution (id, context_id, artifact_id) VALUES (?,?,?)",
}
