"""MLMD's relational schema (SQLite or MySQL) as a ``MetadataSource``: SQL reads, shared transform.

Each pass reads its table in batches with SQL and hands the records to ``loader/transform.py``.
Property values keep their MLMD types (int, float, str, bool; ``byte_value``/``proto_value`` as
bytes, struct values as JSON text).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from typing import Any

from google.protobuf.message import DecodeError

from mlprov.loader import model
from mlprov.loader.operators import OperatorMap
from mlprov.loader.sources.base import Row, Watermark
from mlprov.loader.sources.database import MlmdDatabase
from mlprov.loader.transform import ARTIFACT_STATES, EVENT_TYPES, EXECUTION_STATES, Shaper, is_input

STRUCT_PREFIX = "mlmd-struct::"


def _struct_json(encoded: str) -> str:
    """MLMD keeps struct values as ``mlmd-struct::`` + base64 of a google.protobuf.Struct: give JSON."""
    from google.protobuf import json_format, struct_pb2

    struct = struct_pb2.Struct()
    try:
        struct.ParseFromString(base64.b64decode(encoded[len(STRUCT_PREFIX) :]))
    except (ValueError, binascii.Error, DecodeError):
        return encoded
    return json.dumps(json_format.MessageToDict(struct), sort_keys=True)


def _blob(value: Any) -> bytes:
    """byte_value/proto_value: MLMD writes them base64-encoded (text in SQLite, BLOB in MySQL)."""
    raw = value.encode() if isinstance(value, str) else bytes(value)
    try:
        return base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        return raw


def _value(row: tuple[Any, ...], has: dict[str, bool]) -> Any:
    """First non-NULL value column of a property row (bool, int, double, string, byte, proto)."""
    _, _, _, int_v, dbl_v, str_v, byte_v, proto_v, bool_v = row
    if has["bool_value"] and bool_v is not None:
        return bool(bool_v)
    if isinstance(str_v, str) and str_v.startswith(STRUCT_PREFIX):
        return _struct_json(str_v)
    for value in (int_v, dbl_v, str_v):
        if value is not None:
            return value
    for blob in (byte_v, proto_v):
        if blob is not None:
            return _blob(blob)
    return None


class MlmdReader:
    """One MLMD store (an opened ``MlmdDatabase``) read for the warehouse store ``store``."""

    def __init__(self, db: MlmdDatabase, store: str, operators: OperatorMap) -> None:
        self.source = db
        self.label = db.label
        self.kind = db.kind
        self.schema_version = db.schema_version
        self.shape = Shaper(store, operators)
        self.types: dict[int, tuple[str, int]] = {
            int(r[0]): (str(r[1]), int(r[2])) for b in db.rows("SELECT id, name, type_kind FROM `Type`") for r in b
        }

    def close(self) -> None:
        self.source.close()

    def size_bytes(self) -> int:
        return self.source.size_bytes()

    def present_uids(self) -> Iterator[str]:
        for table, prefix in (
            ("Execution", model.EXECUTION.uid_prefix),
            ("Artifact", model.ARTIFACT.uid_prefix),
            ("Context", model.CONTEXT.uid_prefix),
            ("Event", model.EVENT_UID_PREFIX),
        ):
            for b in self.source.rows(f"SELECT id FROM `{table}`"):  # noqa: S608
                yield from (self.shape.uid(prefix, r[0]) for r in b)

    # -- identity and watermarks -------------------------------------------------------------
    def current_watermark(self) -> Watermark:
        s = self.source

        def mx(sql: str, default: int) -> int:
            value = s.scalar(sql)
            return int(value) if value is not None else default

        latest = {}
        for table in ("Artifact", "Execution", "Context"):
            top = mx(f"SELECT MAX(last_update_time_since_epoch) FROM `{table}`", -1)  # noqa: S608
            at = s.scalar(f"SELECT COUNT(*) FROM `{table}` WHERE last_update_time_since_epoch = ?", (top,))  # noqa: S608
            latest[table.lower()] = top
            latest[f"{table.lower()}_at"] = int(at or 0)
        return Watermark(
            event=mx("SELECT MAX(id) FROM `Event`", 0),
            association=mx("SELECT MAX(id) FROM `Association`", 0),
            attribution=mx("SELECT MAX(id) FROM `Attribution`", 0),
            **latest,
        )

    def is_empty(self) -> bool:
        return not any(
            self.source.scalar(f"SELECT COUNT(*) FROM `{t}`")  # noqa: S608
            for t in ("Execution", "Artifact", "Context")
        )

    def fingerprint(self) -> dict[str, Any]:
        """What identifies this store: its type ids and the first row of each node table."""
        first: dict[str, list[Any]] = {}
        for table in ("Execution", "Artifact", "Context"):
            for b in self.source.rows(
                f"SELECT id, type_id, create_time_since_epoch FROM `{table}` "  # noqa: S608
                "ORDER BY id LIMIT 1"
            ):
                first[table] = [int(v) for v in b[0]]
        return {"types": {str(k): v[0] for k, v in self.types.items()}, "first": first}

    def identity_conflict(self, stored: dict[str, Any]) -> str | None:
        """Why the store at this source is not the one loaded before, or None."""
        for type_id, name in dict(stored.get("types", {})).items():
            current = self.types.get(int(type_id))
            if current is None or current[0] != name:
                return f"type id {type_id} was {name!r} and is now {current[0] if current else 'missing'!r}"
        for table, row in dict(stored.get("first", {})).items():
            found = [
                list(map(int, r))
                for b in self.source.rows(
                    f"SELECT id, type_id, create_time_since_epoch FROM `{table}` WHERE id = ?",  # noqa: S608
                    (row[0],),
                )
                for r in b
            ]
            if found and found[0] != row:
                return f"{table} {row[0]} was created at {row[2]} and now at {found[0][2]}"
        return None

    def dangling_counts(self) -> dict[str, int]:
        """References in the whole source to rows that do not exist (events, context links)."""
        s = self.source
        events = s.scalar(
            "SELECT COUNT(*) FROM `Event` e LEFT JOIN `Artifact` a ON a.id = e.artifact_id "
            "LEFT JOIN `Execution` x ON x.id = e.execution_id WHERE a.id IS NULL OR x.id IS NULL"
        )
        links = 0
        for table, col, node in (
            ("Association", "execution_id", "Execution"),
            ("Attribution", "artifact_id", "Artifact"),
        ):
            links += int(
                s.scalar(
                    f"SELECT COUNT(*) FROM `{table}` s LEFT JOIN `{node}` n ON n.id = s.{col} "  # noqa: S608
                    "LEFT JOIN `Context` c ON c.id = s.context_id WHERE n.id IS NULL OR c.id IS NULL"
                )
                or 0
            )
        return {"events": int(events or 0), "links": links}

    # -- counting (progress totals) ------------------------------------------------------------
    def pending_counts(self, wm: Watermark) -> dict[str, int]:
        s = self.source
        counts = {
            "contexts": s.scalar(
                "SELECT COUNT(*) FROM `Context` WHERE last_update_time_since_epoch >= ?", (wm.context,)
            ),
            "executions": s.scalar(
                "SELECT COUNT(*) FROM `Execution` WHERE last_update_time_since_epoch >= ?", (wm.execution,)
            ),
            "artifacts": s.scalar(
                "SELECT COUNT(*) FROM `Artifact` WHERE last_update_time_since_epoch >= ?", (wm.artifact,)
            ),
            "events": s.scalar("SELECT COUNT(*) FROM `Event` WHERE id > ?", (wm.event,)),
            "associations": s.scalar("SELECT COUNT(*) FROM `Association` WHERE id > ?", (wm.association,)),
            "attributions": s.scalar("SELECT COUNT(*) FROM `Attribution` WHERE id > ?", (wm.attribution,)),
            "parent_contexts": s.scalar("SELECT COUNT(*) FROM `ParentContext`") if "ParentContext" in s.tables else 0,
        }
        return {k: int(v or 0) for k, v in counts.items()}

    # -- properties ----------------------------------------------------------------------------
    def _properties(self, table: str, owner: str, lo: int, hi: int) -> dict[int, dict[str, Any]]:
        cols = self.source.columns(table)
        has = {c: c in cols for c in ("byte_value", "proto_value", "bool_value")}
        select = ", ".join(
            c if has.get(c, True) else f"NULL AS {c}"
            for c in ("int_value", "double_value", "string_value", "byte_value", "proto_value", "bool_value")
        )
        sql = (
            f"SELECT {owner}, name, is_custom_property, {select} FROM `{table}` "  # noqa: S608
            f"WHERE {owner} BETWEEN ? AND ?"
        )
        props: dict[int, dict[str, Any]] = {}
        for batch in self.source.rows(sql, (lo, hi)):
            for row in batch:
                key = ("c_" if row[2] else "p_") + str(row[1])
                props.setdefault(int(row[0]), {})[key] = _value(row, has)
        return props

    def _node_batches(
        self,
        table: str,
        columns: str,
        where: str,
        param: int,
        batch: int,
    ) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, dict[str, Any]]]]:
        prop_table, owner = f"{table}Property", f"{table.lower()}_id"
        sql = f"SELECT {columns} FROM `{table}` WHERE {where} ORDER BY id"  # noqa: S608
        for rows in self.source.rows(sql, (param,), chunk=batch):
            props = self._properties(prop_table, owner, int(rows[0][0]), int(rows[-1][0]))
            yield rows, props

    # -- nodes -------------------------------------------------------------------------------
    def _type_name(self, type_id: int, kind: int) -> str:
        return self.types.get(int(type_id), (f"unknown:{type_id}", kind))[0]

    def contexts(self, wm: Watermark, batch: int) -> Iterator[list[Row]]:
        cols = "id, type_id, name, create_time_since_epoch, last_update_time_since_epoch"
        for rows, props in self._node_batches("Context", cols, "last_update_time_since_epoch >= ?", wm.context, batch):
            yield [
                self.shape.context(cid, self._type_name(type_id, 2), name, created, updated, props.get(int(cid), {}))
                for cid, type_id, name, created, updated in rows
            ]

    def executions(self, wm: Watermark, batch: int) -> Iterator[list[Row]]:
        cols = "id, type_id, last_known_state, name, create_time_since_epoch, last_update_time_since_epoch"
        where = "last_update_time_since_epoch >= ?"
        for rows, props in self._node_batches("Execution", cols, where, wm.execution, batch):
            yield [
                self.shape.execution(
                    eid,
                    self._type_name(type_id, 0),
                    EXECUTION_STATES.get(int(state)) if state is not None else None,
                    name,
                    created,
                    updated,
                    props.get(int(eid), {}),
                )
                for eid, type_id, state, name, created, updated in rows
            ]

    def artifacts(self, wm: Watermark, batch: int) -> Iterator[list[Row]]:
        cols = "id, type_id, uri, state, name, create_time_since_epoch, last_update_time_since_epoch"
        where = "last_update_time_since_epoch >= ?"
        for rows, props in self._node_batches("Artifact", cols, where, wm.artifact, batch):
            yield [
                self.shape.artifact(
                    aid,
                    self._type_name(type_id, 1),
                    uri,
                    ARTIFACT_STATES.get(int(state)) if state is not None else None,
                    name,
                    created,
                    updated,
                    props.get(int(aid), {}),
                )
                for aid, type_id, uri, state, name, created, updated in rows
            ]

    # -- relationships -------------------------------------------------------------------------
    def events(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], list[Row], int]]:
        """Batches of (input rows, output rows, dangling count)."""
        order = "ORDER BY event_id, rowid" if self.source.kind == "sqlite" else "ORDER BY event_id"
        sql = (
            "SELECT e.id, e.artifact_id, e.execution_id, e.type, e.milliseconds_since_epoch, "
            "a.id IS NULL, x.id IS NULL FROM `Event` e "
            "LEFT JOIN `Artifact` a ON a.id = e.artifact_id "
            "LEFT JOIN `Execution` x ON x.id = e.execution_id WHERE e.id > ? ORDER BY e.id"
        )
        for rows in self.source.rows(sql, (wm.event,), chunk=batch):
            paths: dict[int, list[str]] = {}
            for prow in self.source.rows(
                "SELECT event_id, is_index_step, step_index, step_key FROM `EventPath` "  # noqa: S608
                f"WHERE event_id BETWEEN ? AND ? {order}",
                (rows[0][0], rows[-1][0]),
            ):
                for event_id, is_index, index, key in prow:
                    paths.setdefault(int(event_id), []).append(str(index) if is_index else str(key))
            inputs: list[Row] = []
            outputs: list[Row] = []
            dangling = 0
            for eid, aid, xid, etype, ms, no_artifact, no_execution in rows:
                if no_artifact or no_execution:
                    dangling += 1
                    continue
                name = EVENT_TYPES.get(int(etype), str(etype))
                row = self.shape.event(eid, aid, xid, name, ms, paths.get(int(eid), []))
                (inputs if is_input(name) else outputs).append(row)
            yield inputs, outputs, dangling

    def _links(
        self,
        table: str,
        node_col: str,
        node_table: str,
        shape: Callable[[int, int], Row],
        last_id: int,
        batch: int,
    ) -> Iterator[tuple[list[Row], int]]:
        sql = (
            f"SELECT s.{node_col}, s.context_id, n.id IS NULL, c.id IS NULL FROM `{table}` s "  # noqa: S608
            f"LEFT JOIN `{node_table}` n ON n.id = s.{node_col} "
            "LEFT JOIN `Context` c ON c.id = s.context_id WHERE s.id > ? ORDER BY s.id"
        )
        for rows in self.source.rows(sql, (last_id,), chunk=batch):
            good = [shape(n, c) for n, c, no_node, no_ctx in rows if not (no_node or no_ctx)]
            yield good, len(rows) - len(good)

    def associations(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], int]]:
        return self._links("Association", "execution_id", "Execution", self.shape.association, wm.association, batch)

    def attributions(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], int]]:
        return self._links("Attribution", "artifact_id", "Artifact", self.shape.attribution, wm.attribution, batch)

    def parent_contexts(self, batch: int) -> Iterator[tuple[list[Row], int]]:
        if "ParentContext" not in self.source.tables:
            return
        sql = (
            "SELECT p.context_id, p.parent_context_id, c.id IS NULL, q.id IS NULL FROM `ParentContext` p "
            "LEFT JOIN `Context` c ON c.id = p.context_id "
            "LEFT JOIN `Context` q ON q.id = p.parent_context_id ORDER BY p.context_id, p.parent_context_id"
        )
        for rows in self.source.rows(sql, chunk=batch):
            good = [self.shape.parent_context(c, p) for c, p, no_c, no_p in rows if not (no_c or no_p)]
            yield good, len(rows) - len(good)
