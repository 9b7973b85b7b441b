"""The seam between the loader and the stores it reads: ``MetadataSource``.

The loader (``loader/load.py``) and the bulk writer (``loader/bulk.py``) read a store only through
this protocol. A source yields graph rows already shaped by ``loader/transform.py`` (``Shaper``), so
every source maps metadata onto the one graph model (``loader/model.py``) the same way. Sources in
this folder: MLMD's relational schema over SQLite (``sqlite.py``) and MySQL (``mysql.py``), both read
by ``mlmd_sql.py``. Adding a kind of source: docs/contributing.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

Row = dict[str, Any]


@dataclass
class Watermark:
    """What a store's last complete load had read: rows updated at or after / ids above are new."""

    artifact: int = -1
    execution: int = -1
    context: int = -1
    event: int = 0
    association: int = 0
    attribution: int = 0
    # rows updated exactly at the node watermarks: re-read by the next load (>=), so a reload that
    # finds just these is a no-op
    artifact_at: int = 0
    execution_at: int = 0
    context_at: int = 0

    def as_props(self) -> dict[str, int]:
        return {f"wm_{k}": v for k, v in asdict(self).items()}

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> Watermark:
        return cls(**{k: int(props.get(f"wm_{k}", getattr(cls(), k))) for k in asdict(cls())})


class MetadataSource(Protocol):
    """One opened store of ML metadata, bound to the warehouse store name its rows are written under.

    Node passes (``contexts``, ``executions``, ``artifacts``) yield batches of rows updated at or after
    the watermark; relationship passes yield ``(rows, dangling)`` with the rows whose ends exist and
    the number of rows that point at missing nodes; ``events`` splits its rows into inputs and outputs.
    Every pass is a generator: nothing is read before the loader asks for it.
    """

    label: str  # names the store in messages (never with a password)
    kind: str  # "sqlite", "mysql", ...: recorded on the :Store node
    schema_version: int

    def current_watermark(self) -> Watermark:
        """The watermark of everything the store holds now."""
        ...

    def is_empty(self) -> bool: ...

    def fingerprint(self) -> dict[str, Any]:
        """What identifies this store (JSON-able); ``identity_conflict`` compares against it."""
        ...

    def identity_conflict(self, stored: dict[str, Any]) -> str | None:
        """Why the store is not the one whose fingerprint was ``stored``, or None."""
        ...

    def pending_counts(self, wm: Watermark) -> dict[str, int]:
        """Rows per pass that a load from ``wm`` reads (progress totals)."""
        ...

    def dangling_counts(self) -> dict[str, int]:
        """``{"events": n, "links": m}``: references in the whole store to rows that do not exist."""
        ...

    def present_uids(self) -> Iterator[str]:
        """The uids of every execution, artifact, context and event in the store (for ``--prune``)."""
        ...

    def size_bytes(self) -> int: ...

    def contexts(self, wm: Watermark, batch: int) -> Iterator[list[Row]]: ...

    def executions(self, wm: Watermark, batch: int) -> Iterator[list[Row]]: ...

    def artifacts(self, wm: Watermark, batch: int) -> Iterator[list[Row]]: ...

    def parent_contexts(self, batch: int) -> Iterator[tuple[list[Row], int]]: ...

    def events(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], list[Row], int]]: ...

    def associations(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], int]]: ...

    def attributions(self, wm: Watermark, batch: int) -> Iterator[tuple[list[Row], int]]: ...

    def close(self) -> None: ...
