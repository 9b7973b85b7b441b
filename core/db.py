"""The one seam between mlprov and Neo4j: named queries in, plain rows out, precise errors.

Writes run in write transactions retried on transient failures, including a server restart, for
up to ``MLPROV_RETRY_SECONDS``; reads run in read transactions, so the server
itself rejects any write hidden in a read.

A transaction that hits the server's transaction-memory limit (``db.memory.transaction.total.max``,
``db.memory.transaction.max``) fails the same way every time it is retried as it is, so it is never
handed to the driver's retry: ``write_rows`` splits such a batch in halves (and keeps the smaller
size for the rest of that query's batches), ``run_batched`` halves the ``$batch`` of a
``CALL { } IN TRANSACTIONS OF $batch ROWS`` statement and runs it again; when even one row does not
fit, ``MemoryLimitError`` says in one line which setting to raise.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as nx

from mlprov.errors import MemoryLimitError, QueryError, ServerLostError, WarehouseError
from mlprov.queries import Query, query
from mlprov.settings import Connection, resolve_connection

Row = dict[str, Any]
DEFAULT_RETRY_SECONDS = 120.0
AGAIN = "run the command again once the server is back (a load resumes where it stopped)"
DEFAULT_TX_ROWS = 10_000  # rows per inner transaction of a `CALL { } IN TRANSACTIONS OF $batch ROWS` statement
# Neo4j's codes for "this transaction needs more memory than allowed": MemoryPoolOutOfMemoryError (all
# transactions together), TransactionMemoryLimit (one transaction), OutOfMemoryError (the JVM heap)
_MEMORY_CODES = ("OutOfMemoryError", "TransactionMemoryLimit")
_SETTING = re.compile(r"(db\.memory\.transaction\.[a-z_.]*max)")


def _is_memory_limit(exc: nx.Neo4jError) -> bool:
    return (exc.code or "").endswith(_MEMORY_CODES)


class Warehouse:
    """A connection to the Neo4j database that holds the provenance graph."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._fits: dict[str, int] = {}  # query name -> largest batch known to fit after a split
        retry = float(os.environ.get("MLPROV_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        self._retry_seconds = retry
        self._driver = neo4j.GraphDatabase.driver(
            connection.uri,
            auth=(connection.user, connection.password),
            max_transaction_retry_time=retry,
            connection_acquisition_timeout=retry,
            notifications_min_severity="OFF",
        )

    @classmethod
    def connect(cls, connection: Connection | None = None) -> Warehouse:
        """Connect and check that the server answers, the credentials work and the database exists."""
        wh = cls(connection or resolve_connection())
        try:
            wh.server_version()
        except BaseException:
            wh.close()
            raise
        return wh

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        uri = self.connection.uri
        try:
            yield
        except nx.AuthError as exc:
            raise WarehouseError(
                f"Neo4j at {uri} refused the credentials of user {self.connection.user!r} ({exc.code or 'auth error'})"
            ) from None
        except (nx.ServiceUnavailable, nx.SessionExpired, OSError) as exc:
            raise ServerLostError(f"cannot reach Neo4j at {uri}: {_first_line(exc)}; {AGAIN}") from None
        except nx.Neo4jError as exc:
            code = exc.code or ""
            if _is_memory_limit(exc):
                raise _memory_error(what, uri, exc) from None
            if code.startswith("Neo.DatabaseError."):  # the server's database failed (a full disk...), not the query
                cause = (exc.message or _first_line(exc)).split(":", 1)[0][:120]
                raise ServerLostError(
                    f"Neo4j at {uri} failed during {what} with a database error ({code}: {cause}): its log says "
                    f"why (`mlprov neo4j logs`); fix that, restart the server, then {AGAIN}"
                ) from None
            if code.endswith("DatabaseNotFound"):
                raise WarehouseError(f"database {self.connection.database!r} does not exist on {uri}") from None
            if "AccessMode" in code or "ForbiddenDueToTransactionType" in code or "WriteOnReadOnly" in code:
                raise QueryError(f"{what} was refused: writes are not allowed in a read session ({code})") from None
            detail = (exc.message or _first_line(exc)).splitlines()[0][:300]
            if "TransactionTimedOut" in code:
                raise QueryError(f"{what} exceeded its timeout and was stopped by the server ({code})") from None
            if code.startswith(("Neo.ClientError.Statement.", "Neo.ClientError.Procedure.")):
                raise QueryError(f"{what} was rejected: {detail} ({code})") from None
            raise WarehouseError(f"{what} failed on {uri}: {code}: {detail}") from None
        except nx.DriverError as exc:
            raise WarehouseError(f"{what} failed on {uri}: {_first_line(exc)}") from None

    def server_version(self) -> str:
        with self._errors("connecting"):
            self._driver.verify_connectivity()
        return str(self.read("admin/server_version")[0]["version"])

    def _run(self, q: Query, params: Mapping[str, Any], access: str) -> list[Row]:
        args = dict(params)
        q.check_params(args)

        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            result = tx.run(q.text, args)
            rows = [_row(r) for r in result]
            self._observe(q.name, result.consume())
            return rows

        with self._errors(f"query {q.name}"), self._driver.session(database=self.connection.database) as s:
            if access == neo4j.WRITE_ACCESS:
                return self._write_retrying(s, q, args)
            return s.execute_read(work)

    def _observe(self, name: str, summary: neo4j.ResultSummary) -> None:
        """Called with the summary of every statement ``read`` / ``write`` ran (after its rows were read):
        nothing here; a profiler (tests/bench/profile_phases.py) records the server's own time from it."""

    def _write_retrying(self, s: neo4j.Session, q: Query, args: dict[str, Any]) -> list[Row]:
        """One write transaction, retried like the driver's managed transactions (transient errors,
        a lost or restarting server) for up to ``MLPROV_RETRY_SECONDS`` — except a memory-limit
        failure, which can surface at the commit and would only fail the same way again."""
        deadline = time.monotonic() + self._retry_seconds
        delay = 1.0
        while True:
            try:
                with s.begin_transaction() as tx:
                    result = tx.run(q.text, args)
                    rows = [_row(r) for r in result]
                    summary = result.consume()
                    tx.commit()
                self._observe(q.name, summary)
                return rows
            except (nx.Neo4jError, nx.DriverError) as exc:
                memory = isinstance(exc, nx.Neo4jError) and _is_memory_limit(exc)
                if memory or not exc.is_retryable() or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 10.0)

    def write(self, name: str, /, **params: Any) -> list[Row]:
        """Run the named write query in one retried transaction."""
        return self._run(query(name), params, neo4j.WRITE_ACCESS)

    def write_rows(
        self, name: str, /, rows: Sequence[Any], *, key: str = "rows", batch: int | None = None, **params: Any
    ) -> list[Row]:
        """Run the named write on ``rows`` (bound as ``$key``), one retried transaction per batch of
        at most ``batch`` rows (all of them when None).

        A batch that exceeds the server's transaction memory is split in halves, each half run on
        its own, down to a single row; later calls for the same query start at the size that fit.
        Returns the rows every batch returned, in order. The statement must be correct for any
        split of its list (every write statement of cypher/ with a list parameter is).
        """
        q = query(name)
        size = min(len(rows), batch or len(rows), self._fits.get(name, len(rows))) or 1
        todo = deque(list(rows[i : i + size]) for i in range(0, len(rows), size))
        out: list[Row] = []
        while todo:
            part = todo.popleft()
            try:
                out.extend(self._run(q, {**params, key: part}, neo4j.WRITE_ACCESS))
            except MemoryLimitError:
                if len(part) == 1:
                    raise
                half = len(part) // 2
                self._fits[name] = half
                todo.extendleft([part[half:], part[:half]])
        return out

    def read(self, name: str, /, **params: Any) -> list[Row]:
        """Run the named query in a read transaction."""
        return self._run(query(name), params, neo4j.READ_ACCESS)

    def stream(self, name: str, /, **params: Any) -> Iterator[Row]:
        """Rows of the named read query as the server sends them (a read-only auto-commit statement),
        for results too large to hold whole; not retried."""
        q = query(name)
        q.check_params(params)
        session = self._driver.session(database=self.connection.database, default_access_mode=neo4j.READ_ACCESS)
        with self._errors(f"query {q.name}"), session as s:
            for record in s.run(q.text, params):
                yield _row(record)

    def apply_schema(self, name: str) -> None:
        """Run each statement of a schema file (constraints, indexes) in its own transaction, except those
        that create a named index or constraint the database has already (``admin/schema_names``: they
        would do nothing, each in a schema transaction of its own)."""
        q = query(name)
        present = set(self.read("admin/schema_names")[0]["names"])
        with self._errors(f"schema {name}"), self._driver.session(database=self.connection.database) as s:
            for statement in q.statements:
                named = _SCHEMA_NAME.match(statement)
                if named is None or named.group(1) not in present:
                    s.run(statement).consume()

    def run_batched(self, name: str, /, *, batch: int = DEFAULT_TX_ROWS, **params: Any) -> None:
        """Run the statements of a file that commit their own batches (``CALL { } IN TRANSACTIONS
        OF $batch ROWS``), one after the other, each as an auto-commit statement.

        When an inner transaction exceeds the server's transaction memory, the statement is run again
        with half the batch (its committed batches stay: such statements only touch what is left to
        do), down to one row. Transient failures other than memory are retried by running the statement
        again for up to ``MLPROV_RETRY_SECONDS``.
        """
        q = query(name)
        args = {**params, "batch": batch} if "batch" in q.param_names else dict(params)
        q.check_params(args)
        with self._driver.session(database=self.connection.database) as s:
            for statement in q.statements:
                self._auto_commit(s, q.name, statement, args)

    def _auto_commit(self, s: neo4j.Session, name: str, statement: str, args: dict[str, Any]) -> None:
        deadline = time.monotonic() + self._retry_seconds
        while True:
            with self._errors(f"query {name}"):
                try:
                    s.run(statement, args).consume()
                    return
                except nx.Neo4jError as exc:
                    if not _is_memory_limit(exc) and exc.is_retryable() and time.monotonic() < deadline:
                        time.sleep(1.0)
                        continue
                    if not _is_memory_limit(exc) or int(args.get("batch", 1)) <= 1:
                        raise
                    args = {**args, "batch": int(args["batch"]) // 2}

    def plan(
        self, text: str, params: Mapping[str, Any] | None = None, *, timeout_s: float = 30.0
    ) -> list[tuple[str, str]]:
        """(operator, details) of every operator in the server's plan of ``text``; nothing is run."""

        @neo4j.unit_of_work(timeout=timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> list[tuple[str, str]]:
            summary = tx.run("EXPLAIN " + text, dict(params or {})).consume()
            found: list[tuple[str, str]] = []
            stack = [summary.plan] if summary.plan else []
            while stack:
                op = stack.pop()
                name = str(op.get("operatorType", "")).split("@", 1)[0]
                found.append((name, str(op.get("args", {}).get("Details", ""))))
                stack.extend(op.get("children", []))
            return found

        with self._errors("the query"), self._driver.session(database=self.connection.database) as s:
            return s.execute_read(work)

    def read_text(
        self,
        text: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int = 1000,
        timeout_s: float = 30.0,
    ) -> tuple[list[str], list[Row], bool]:
        """Run analyst Cypher in a read transaction with a row limit and a timeout.

        Returns (columns, rows, truncated). The server rejects writes: the transaction is read-only.
        """

        @neo4j.unit_of_work(timeout=timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[Row], bool]:
            result = tx.run(text, dict(params or {}))
            columns = list(result.keys())
            rows: list[Row] = []
            for record in result:
                if len(rows) >= limit:
                    return columns, rows, True
                rows.append(_row(record))
            return columns, rows, False

        with self._errors("the query"), self._driver.session(database=self.connection.database) as s:
            return s.execute_read(work)


_SCHEMA_NAME = re.compile(r"CREATE\s+(?:CONSTRAINT|INDEX)\s+(\w+)\s+IF\s+NOT\s+EXISTS\b", re.IGNORECASE)
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(x: Any) -> Any:
    """``Record.data()``'s conversion of one value, with a fast path for the plain values (numbers, strings,
    lists and maps of them) that nearly every row holds; graph types, temporal and spatial values go through
    the driver's own exporter. The driver's isinstance checks against abstract base classes cost as much
    as the transfer on large results (the graphlet builder's execution details). A list of scalars is
    checked in one C-level pass (``map(type, ...)``) and returned as it is; in other lists only the elements
    that are not scalars are converted, without a call per scalar."""
    t = type(x)
    if t in _SCALARS:
        return x
    if t is list:
        if _SCALARS.issuperset(map(type, x)):
            return x
        return [v if type(v) in _SCALARS else _plain(v) for v in x]
    if t is dict:
        return {k: _plain(v) for k, v in x.items()}
    return neo4j.Record({"v": x}).data()["v"]  # type: ignore[no-untyped-call]  # the driver's own conversion


def _row(record: neo4j.Record) -> Row:
    """The record as a dict, exactly as ``record.data()`` gives it."""
    return {k: _plain(v) for k, v in zip(record.keys(), record.values(), strict=True)}


def _memory_error(what: str, uri: str, exc: nx.Neo4jError) -> MemoryLimitError:
    detail = (exc.message or _first_line(exc)).splitlines()[0]
    code = exc.code or ""
    found = _SETTING.search(detail)
    if found:  # the server names the limit that was reached
        setting = found.group(1)
    elif code.endswith("MemoryPoolOutOfMemoryError"):
        setting = "db.memory.transaction.total.max"
    elif code.endswith("TransactionMemoryLimit"):
        setting = "db.memory.transaction.max"
    else:  # the JVM itself ran out of heap
        setting = "server.memory.heap.max_size"
    managed = {
        "db.memory.transaction.total.max": " (managed server: MLPROV_NEO4J_TX_MEMORY, or MLPROV_NEO4J_HEAP when unset)",
        "server.memory.heap.max_size": " (managed server: MLPROV_NEO4J_HEAP)",
    }.get(setting, "")
    return MemoryLimitError(
        f"{what} needs more transaction memory than Neo4j at {uri} allows ({code}: {detail[:160]}): "
        f"raise {setting} in neo4j.conf{managed}"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
