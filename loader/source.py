"""Opening an MLMD store (SQLite file or MySQL URL) and checking that it is one we can read.

MLMD schema versions 5 to 10 are read. What differs between them is found by looking at the
columns, not assumed from the number:

* v5: no ``ParentContext``/``ParentType`` tables; ``Type`` lacks ``version``/``description``;
  property tables lack ``byte_value``; ``Execution.last_known_state`` is NULL in TFX stores of that
  era (the state is the registered ``state`` property).
* v6: adds ``ParentContext``, ``ParentType``, ``Type.version``/``description``.
* v7/v8: add ``byte_value`` (v8 only adds a UNIQUE constraint and indexes).
* v9 was never released; it is read like v8/v10 by its columns.
* v10: adds ``external_id`` and ``proto_value``/``bool_value``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from mlprov.errors import SourceError
from mlprov.settings import mlprov_home

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
SQLITE_MAGIC = b"SQLite format 3\x00"


class MlmdSource:
    """A readable MLMD store. ``label`` names it in messages (never with a password)."""

    def __init__(self, conn: Any, label: str, paramstyle: str, kind: str) -> None:
        self._conn = conn
        self.label = label
        self.kind = kind
        self._paramstyle = paramstyle
        self._columns: dict[str, set[str]] = {}
        self.tables = self._table_names()
        self.schema_version = self._check_schema()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._paramstyle == "format" else sql

    def rows(self, sql: str, params: Sequence[Any] = (), chunk: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        """Run a read query and yield its rows in chunks."""
        try:
            cur = self._conn.cursor()
            cur.execute(self._sql(sql), tuple(params))
            while True:
                batch = cur.fetchmany(chunk)
                if not batch:
                    break
                yield [tuple(r) for r in batch] if self.kind == "sqlite" else [_mysql_row(r) for r in batch]
            cur.close()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise SourceError(f"{self.label}: cannot read the store ({exc})") from None
        except Exception as exc:
            if type(exc).__module__.startswith("pymysql"):
                raise SourceError(f"{self.label}: cannot read the store ({exc})") from None
            raise

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        for batch in self.rows(sql, params):
            return batch[0][0] if batch else None
        return None

    def _table_names(self) -> set[str]:
        if self.kind == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        return {str(r[0]) for batch in self.rows(sql) for r in batch}

    def columns(self, table: str) -> set[str]:
        if table not in self._columns:
            if table not in self.tables:
                self._columns[table] = set()
            elif self.kind == "sqlite":
                self._columns[table] = {str(r[1]) for b in self.rows(f"PRAGMA table_info(`{table}`)") for r in b}
            else:
                self._columns[table] = {
                    str(r[0])
                    for b in self.rows(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = DATABASE() AND table_name = ?",
                        (table,),
                    )
                    for r in b
                }
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

    def size_bytes(self) -> int:
        """How many bytes the store takes (the SQLite file, or MySQL's data and indexes)."""
        if self.kind == "sqlite":
            return Path(self.label).stat().st_size
        return int(
            self.scalar(
                "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables "
                "WHERE table_schema = DATABASE()"
            )
            or 0
        )

    def close(self) -> None:
        self._conn.close()


def _mysql_text(value: Any) -> Any:
    """We read MySQL with ``character_set_results = NULL``, so the server hands over the bytes it stores
    with no charset conversion (ml-metadata writes UTF-8 bytes, often into latin1 tables); text is UTF-8."""
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    return value


def _mysql_row(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_mysql_text(v) for v in row)


def _checked_file() -> Path:
    return mlprov_home() / "checked-sources.json"


def _signature(path: Path, head: bytes) -> list[int | str]:
    """What proves a file unchanged: device, inode, size, modification and change times, and its
    header (which holds SQLite's file change counter); a write-ahead log beside it counts too."""
    st = path.stat()
    wal = path.with_name(path.name + "-wal")
    wal_st = wal.stat() if wal.exists() else None
    return [
        st.st_dev,
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
        head.hex(),
        wal_st.st_size if wal_st else -1,
        wal_st.st_mtime_ns if wal_st else -1,
    ]


def _read_checked() -> dict[str, list[int | str]]:
    try:
        data = json.loads(_checked_file().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _checked_before(path: Path, signature: list[int | str]) -> bool:
    """Whether this very file passed ``PRAGMA quick_check`` before (then a reload skips it: on a large
    cold file it costs more than reading what changed)."""
    return _read_checked().get(str(path.resolve())) == signature


def _remember_checked(path: Path, signature: list[int | str]) -> None:
    checked = _read_checked()
    key = str(path.resolve())
    if checked.get(key) == signature:
        return
    checked[key] = signature
    target = _checked_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(checked))
        os.replace(tmp, target)
    except OSError:
        pass  # only a cache: the next open checks the file again


def _open_sqlite(path: Path, verify: bool) -> MlmdSource:
    label = str(path)
    if not path.exists():
        raise SourceError(f"{label}: no such file")
    if not path.is_file():
        raise SourceError(f"{label}: not a file")
    with path.open("rb") as fh:
        head = fh.read(100)
    if not head.startswith(SQLITE_MAGIC):
        what = "empty file" if not head else "not an SQLite database"
        raise SourceError(f"{label}: {what}, so not an MLMD store")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    size = path.stat().st_size
    if page_size and pages and size < page_size * pages:
        raise SourceError(f"{label}: truncated SQLite file ({size} bytes, header says {page_size * pages})")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        signature = _signature(path, head)
        skip = not verify or _checked_before(path, signature)
        check = ("ok",) if skip else conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SourceError(f"{label}: corrupt SQLite file ({exc})") from None
    if not check or check[0] != "ok":
        conn.close()
        first = str(check[0]).splitlines()[0] if check else "no answer"
        raise SourceError(f"{label}: corrupt SQLite file (quick_check: {first})")
    if verify:
        _remember_checked(path, signature)
    try:
        return MlmdSource(conn, label, "qmark", "sqlite")
    except BaseException:
        conn.close()
        raise


def redact_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
    return parsed._replace(netloc=netloc).geturl()


def _open_mysql(url: str) -> MlmdSource:
    import pymysql

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
        return MlmdSource(conn, label, "format", "mysql")
    except BaseException:
        conn.close()
        raise


def open_source(spec: str | Path, *, verify: bool = True) -> MlmdSource:
    """Open an MLMD store: a SQLite file path or ``mysql://user:pass@host:port/db``.

    ``verify`` runs ``PRAGMA quick_check`` over the whole SQLite file, unless this very file passed it
    before (same device, inode, size, times and header with its change counter). A reload of a store
    loaded complete before passes ``verify=False``: the check would read the whole file (75 s of a
    1%-changed reload of the bench store, cold) where the reload reads only what changed, and SQLite
    checks every page it reads, so a corrupt page the reload needs still stops it with one line.
    """
    text = str(spec)
    if text.startswith(("mysql://", "mysql+pymysql://")):
        return _open_mysql(text.replace("mysql+pymysql://", "mysql://", 1))
    return _open_sqlite(Path(text), verify)


def expand_sources(specs: Sequence[str]) -> list[str]:
    """Directories expand to the SQLite files in them (``*.sqlite``, ``*.db``), sorted."""
    found: list[str] = []
    for spec in specs:
        path = Path(spec)
        if not spec.startswith("mysql") and path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in {".sqlite", ".db", ".sqlite3"})
            if not files:
                raise SourceError(f"{spec}: directory holds no .sqlite/.db files")
            found.extend(str(p) for p in files)
        else:
            found.append(spec)
    return found
