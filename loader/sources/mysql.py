"""MLMD stores in MySQL (``mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE``): opening and the catalog.

Text is read as the bytes the server stores (``character_set_results = NULL``) and decoded as UTF-8:
ml-metadata writes UTF-8 bytes, often into latin1 tables. Passwords never appear in messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlparse

import pymysql

from mlprov.errors import SourceError
from mlprov.loader.sources.database import MlmdDatabase

SCHEMES = ("mysql://", "mysql+pymysql://")


class MysqlDatabase(MlmdDatabase):
    kind = "mysql"
    read_errors = (pymysql.MySQLError, OSError)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _decode(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(_text(v) for v in row)

    def _table_names(self) -> set[str]:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        return {str(r[0]) for b in self.rows(sql) for r in b}

    def _column_names(self, table: str) -> set[str]:
        sql = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?"
        return {str(r[0]) for b in self.rows(sql, (table,)) for r in b}

    def size_bytes(self) -> int:
        sql = (
            "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables "
            "WHERE table_schema = DATABASE()"
        )
        return int(self.scalar(sql) or 0)


def _text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    return value


def accepts(spec: str) -> bool:
    return spec.startswith(SCHEMES)


def expand(spec: str) -> list[str] | None:
    return None


def redact_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
    return parsed._replace(netloc=netloc).geturl()


def open_database(spec: str, verify: bool) -> MysqlDatabase:
    """Connect (``verify`` has nothing to add for a server: it checks its own pages)."""
    url = spec.replace("mysql+pymysql://", "mysql://", 1)

    label = redact_url(url)
    parsed = urlparse(url)
    database = parsed.path.lstrip("/")
    if not parsed.hostname or not database:
        raise SourceError(f"{label}: a MySQL source is mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
    try:
        conn = pymysql.connect(
            host=parsed.hostname,
            port=parsed.port or 3306,
            user=unquote(parsed.username or "root"),
            password=unquote(parsed.password or ""),
            database=database,
            connect_timeout=10,
            read_timeout=600,
            charset="utf8mb4",
            use_unicode=False,
            init_command="SET character_set_results = NULL",
        )
    except pymysql.MySQLError as exc:
        raise SourceError(f"{label}: cannot open the MySQL store ({exc.args[-1] if exc.args else exc})") from None
    try:
        return MysqlDatabase(conn, label)
    except BaseException:
        conn.close()
        raise
