"""The one seam between mlprov and Neo4j: named queries in, plain rows out, precise errors.

Writes run in managed write transactions (the driver retries transient failures, including a
server restart, for up to ``MLPROV_RETRY_SECONDS``); reads run in read transactions, so the server
itself rejects any write hidden in a read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as nx

from mlprov.errors import QueryError, WarehouseError
from mlprov.queries import Query, query
from mlprov.settings import Connection, resolve_connection

Row = dict[str, Any]
DEFAULT_RETRY_SECONDS = 120.0


class Warehouse:
    """A connection to the Neo4j database that holds the provenance graph."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        retry = float(os.environ.get("MLPROV_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
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
            raise WarehouseError(f"cannot reach Neo4j at {uri}: {_first_line(exc)}") from None
        except nx.Neo4jError as exc:
            code = exc.code or ""
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
            return [r.data() for r in tx.run(q.text, args)]

        with self._errors(f"query {q.name}"), self._driver.session(database=self.connection.database) as s:
            if access == neo4j.WRITE_ACCESS:
                return s.execute_write(work)
            return s.execute_read(work)

    def write(self, name: str, /, **params: Any) -> list[Row]:
        """Run the named write query in one retried transaction."""
        return self._run(query(name), params, neo4j.WRITE_ACCESS)

    def read(self, name: str, /, **params: Any) -> list[Row]:
        """Run the named query in a read transaction."""
        return self._run(query(name), params, neo4j.READ_ACCESS)

    def apply_schema(self, name: str) -> None:
        """Run each statement of a schema file (constraints, indexes) in its own transaction."""
        q = query(name)
        with self._errors(f"schema {name}"), self._driver.session(database=self.connection.database) as s:
            for statement in q.statements:
                s.run(statement).consume()

    def run_batched(self, name: str, /, **params: Any) -> None:
        """Run the statements of a file that commit their own batches (``CALL { } IN TRANSACTIONS``),
        one after the other, each as an auto-commit statement."""
        q = query(name)
        q.check_params(params)
        with self._errors(f"query {q.name}"), self._driver.session(database=self.connection.database) as s:
            for statement in q.statements:
                s.run(statement, params).consume()

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
                rows.append(record.data())
            return columns, rows, False

        with self._errors("the query"), self._driver.session(database=self.connection.database) as s:
            return s.execute_read(work)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
