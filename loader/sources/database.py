"""An opened MLMD relational store (SQLite or MySQL) and the check that it is one we can read.

MLMD schema versions 5 to 10 are read. What differs between them is found by looking at the
columns, not assumed from the number:

* v5: no ``ParentContext``/``ParentType`` tables; ``Type`` lacks ``version``/``description``;
  property tables lack ``byte_value``; ``Execution.last_known_state`` is NULL in TFX stores of that
  era (the state is the registered ``state`` property).
* v6: adds ``ParentContext``, ``ParentType``, ``Type.version``/``description``.
* v7/v8: add ``byte_value`` (v8 only adds a UNIQUE constraint and indexes).
* v9 was never released; it is read like v8/v10 by its columns.
* v10: adds ``external_id`` and ``proto_value``/``bool_value``.

What differs between the database engines (catalog queries, parameter style, text decoding, size)
is in the subclasses of ``sqlite.py`` and ``mysql.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from mlprov.errors import SourceError

SUPPORTED_VERSIONS = range(5, 11)
REQUIRED_TABLES = (
    "Type",
    "Artifact",
    "Execution",
    "Context",
    "ArtifactProperty",
    "ExecutionProperty",
    "ContextProperty",
    "Event",
    "EventPath",
    "Association",
    "Attribution",
    "MLMDEnv",
)


class MlmdDatabase:
    """A readable MLMD store. ``label`` names it in messages (never with a password)."""

    kind = "sql"
    read_errors: tuple[type[BaseException], ...] = (OSError,)

    def __init__(self, conn: Any, label: str) -> None:
        self._conn = conn
        self.label = label
        self._columns: dict[str, set[str]] = {}
        self.tables = self._table_names()
        self.schema_version = self._check_schema()

    # -- what each engine says its own way -------------------------------------------------
    def _sql(self, sql: str) -> str:
        """``sql`` with ``?`` placeholders, in the driver's parameter style."""
        return sql

    def _decode(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(row)

    def _table_names(self) -> set[str]:
        raise NotImplementedError

    def _column_names(self, table: str) -> set[str]:
        raise NotImplementedError

    def size_bytes(self) -> int:
        """How many bytes the store takes."""
        raise NotImplementedError

    # -- reading ---------------------------------------------------------------------------
    def rows(self, sql: str, params: Sequence[Any] = (), chunk: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        """Run a read query and yield its rows in chunks."""
        try:
            cur = self._conn.cursor()
            cur.execute(self._sql(sql), tuple(params))
            while True:
                batch = cur.fetchmany(chunk)
                if not batch:
                    break
                yield [self._decode(r) for r in batch]
            cur.close()
        except self.read_errors as exc:
            raise SourceError(f"{self.label}: cannot read the store ({exc})") from None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        for batch in self.rows(sql, params):
            return batch[0][0] if batch else None
        return None

    def columns(self, table: str) -> set[str]:
        if table not in self._columns:
            self._columns[table] = self._column_names(table) if table in self.tables else set()
        return self._columns[table]

    def _check_schema(self) -> int:
        if "MLMDEnv" not in self.tables:
            raise SourceError(f"{self.label}: not an MLMD store (no MLMDEnv table)")
        version = self.scalar("SELECT schema_version FROM MLMDEnv")
        if not isinstance(version, int):
            raise SourceError(f"{self.label}: MLMD store without a schema version in MLMDEnv")
        if version not in SUPPORTED_VERSIONS:
            raise SourceError(f"{self.label}: MLMD schema version {version} is not supported (5 to 10 are)")
        missing = [t for t in REQUIRED_TABLES if t not in self.tables]
        if missing:
            raise SourceError(f"{self.label}: MLMD schema v{version} store lacks table(s) {', '.join(missing)}")
        return version

    def close(self) -> None:
        self._conn.close()
