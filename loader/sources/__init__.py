"""The stores the loader reads. ``open_source`` picks the kind of a spec and returns a
``MetadataSource`` (``base.py``) bound to a warehouse store name.

Each kind is one module with ``accepts(spec)``, ``expand(spec)`` (a spec that stands for several
stores, e.g. a directory, else None) and ``open_database(spec, verify)``; ``KINDS`` lists them in the
order they are asked (the first that accepts a spec opens it). Today both kinds hold MLMD's
relational schema and are read by ``mlmd_sql.MlmdReader``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from mlprov.loader.operators import OperatorMap
from mlprov.loader.sources import mysql, sqlite
from mlprov.loader.sources.base import MetadataSource, Row, Watermark
from mlprov.loader.sources.mlmd_sql import MlmdReader

KINDS: tuple[ModuleType, ...] = (mysql, sqlite)

__all__ = ["KINDS", "MetadataSource", "Row", "Watermark", "expand_sources", "open_source", "redact"]


def _kind(spec: str) -> ModuleType:
    return next(k for k in KINDS if k.accepts(spec))


def open_source(spec: str | Path, *, store: str, operators: OperatorMap, verify: bool = True) -> MetadataSource:
    """Open and check the store at ``spec`` (a SQLite file, ``mysql://…``) for warehouse store ``store``.

    ``verify``: the whole-store integrity check (see ``sqlite.open_database``); a reload of a store
    loaded complete before skips it.
    """
    spec = str(spec)
    db = _kind(spec).open_database(spec, verify)
    try:
        return MlmdReader(db, store, operators)
    except BaseException:
        db.close()
        raise


def expand_sources(specs: Sequence[str | Path]) -> list[str]:
    """Specs that stand for several stores (a directory of SQLite files) replaced by those stores."""
    found: list[str] = []
    for spec in map(str, specs):
        found.extend(_kind(spec).expand(spec) or [spec])
    return found


def redact(spec: str) -> str:
    """``spec`` as it may be shown: without a password."""
    return mysql.redact_url(spec) if mysql.accepts(spec) else spec
