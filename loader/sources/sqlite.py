"""MLMD stores in SQLite files: opening, the file checks, and the SQLite catalog.

A file is refused with one line when it is missing, empty, not SQLite, truncated (shorter than its
header says) or corrupt (``PRAGMA quick_check``). The whole-file check is skipped for a file that
passed it before unchanged (device, inode, size, times, header with SQLite's change counter; see
``open_database``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from mlprov.errors import SourceError
from mlprov.loader.sources.database import MlmdDatabase
from mlprov.settings import mlprov_home

SQLITE_MAGIC = b"SQLite format 3\x00"
SUFFIXES = frozenset({".sqlite", ".db", ".sqlite3"})


class SqliteDatabase(MlmdDatabase):
    kind = "sqlite"
    read_errors = (sqlite3.DatabaseError, OSError)

    def _table_names(self) -> set[str]:
        return {str(r[0]) for b in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'") for r in b}

    def _column_names(self, table: str) -> set[str]:
        return {str(r[1]) for b in self.rows(f"PRAGMA table_info(`{table}`)") for r in b}

    def size_bytes(self) -> int:
        return Path(self.label).stat().st_size


def accepts(spec: str) -> bool:
    """Every spec that no other kind claims is a path to a SQLite file."""
    return True


def expand(spec: str) -> list[str] | None:
    """A directory stands for the SQLite files in it, sorted (None: ``spec`` is no directory)."""
    path = Path(spec)
    if not path.is_dir():
        return None
    files = sorted(str(p) for p in path.iterdir() if p.suffix in SUFFIXES)
    if not files:
        raise SourceError(f"{spec}: directory holds no .sqlite/.db files")
    return files


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


def open_database(spec: str, verify: bool) -> SqliteDatabase:
    """Open and check the file.

    ``verify`` runs ``PRAGMA quick_check`` over the whole file, unless this very file passed it before.
    A reload of a store loaded complete before passes ``verify=False``: the check would read the whole
    file (75 s of a 1%-changed reload of the bench store, cold) where the reload reads only what
    changed, and SQLite checks every page it reads, so a corrupt page the reload needs still stops it
    with one line.
    """
    path = Path(spec)
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
        return SqliteDatabase(conn, label)
    except BaseException:
        conn.close()
        raise
