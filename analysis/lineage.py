"""Lineage walks and "what was live at time T".

A lineage walk expands hop by hop from one execution or artifact (``cypher/lineage/up`` or
``down``, called with the current frontier only): every node is fetched once, so the cost is linear
in the nodes visited, never in the number of paths (MLMD DAGs share heavily: one span feeds many
trainers). The walk stops at ``depth`` hops (one hop = one edge, so two hops = one upstream
operator) or at ``max_nodes`` nodes, and says whether and why its answer is truncated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mlprov.db import Row, Warehouse
from mlprov.errors import QueryError

UP, DOWN = "up", "down"
NODE_FIELDS = ("uid", "node", "kind", "state", "created", "store")


@dataclass
class Lineage:
    """The answer of a walk. ``edges`` are (source, target) uids in data direction."""

    start: Row
    direction: str
    depth: int
    max_nodes: int
    nodes: list[Row] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    truncated: bool = False
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start["uid"],
            "direction": self.direction,
            "depth": self.depth,
            "max_nodes": self.max_nodes,
            "truncated": self.truncated,
            "reason": self.reason,
            "nodes": self.nodes,
            "edges": [{"source": s, "target": t} for s, t in self.edges],
        }


def _order(row: Row) -> tuple[int, str]:
    created = row.get("created")
    return (int(created) if isinstance(created, int) else 2**62, str(row["uid"]))


def walk(
    wh: Warehouse,
    uid: str,
    *,
    direction: str = UP,
    depth: int = 10,
    max_nodes: int = 1000,
    skip_cached: bool = False,
) -> Lineage:
    """Ancestors (``up``) or descendants (``down``) of ``uid``, bounded by ``depth`` and ``max_nodes``.

    ``max_nodes`` counts the start node. When the cap cuts a hop, the nodes kept are the earliest
    created (ties by uid), so the answer is deterministic.
    """
    if direction not in (UP, DOWN):
        raise QueryError(f"lineage direction must be {UP!r} or {DOWN!r}, not {direction!r}")
    if depth < 1 or max_nodes < 1:
        raise QueryError("lineage --depth and --max-nodes must be at least 1")
    found = wh.read("lineage/node", uid=uid)
    if not found:
        raise QueryError(f"no execution or artifact with uid {uid!r}")
    start = dict(found[0]) | {"depth": 0}
    result = Lineage(start=start, direction=direction, depth=depth, max_nodes=max_nodes, nodes=[start])
    seen = {uid}
    frontier = [uid]
    step = f"lineage/{direction}"
    for hop in range(1, depth + 1):
        if not frontier:
            break
        rows = wh.read(step, uids=frontier, skip_cached=skip_cached)
        fresh: dict[str, Row] = {}
        for r in rows:
            if r["uid"] not in seen:
                fresh.setdefault(r["uid"], r)
        ordered = sorted(fresh.values(), key=_order)
        room = max_nodes - len(seen)
        if len(ordered) > room:
            ordered = ordered[:room]
            result.truncated = True
            result.reason = f"node cap: {max_nodes} nodes reached at hop {hop}"
        for r in ordered:
            seen.add(r["uid"])
            result.nodes.append({k: r[k] for k in NODE_FIELDS} | {"depth": hop})
        for r in rows:
            if r["uid"] in seen:
                edge = (r["uid"], r["source"]) if direction == UP else (r["source"], r["uid"])
                result.edges.append(edge)
        frontier = [r["uid"] for r in ordered]
        if result.truncated:
            break
    else:
        if frontier and any(r["uid"] not in seen for r in wh.read(step, uids=frontier, skip_cached=skip_cached)):
            result.truncated = True
            result.reason = f"depth: more nodes lie beyond {depth} hops"
    result.edges = sorted(set(result.edges))
    return result


# -- what was live at time T ------------------------------------------------------------------------
_MS = re.compile(r"^\d{1,16}$")


def parse_instant(text: str) -> int:
    """Milliseconds since the epoch from ``ms`` digits or an ISO 8601 time (naive = UTC)."""
    s = text.strip()
    if _MS.match(s):
        return int(s)
    try:
        moment = datetime.fromisoformat(s)
    except ValueError:
        raise QueryError(f"--at expects an ISO 8601 time or milliseconds since the epoch, got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def live_at(wh: Warehouse, at_ms: int, *, store: str | None = None) -> list[Row]:
    """Each pipeline's latest pushed model at ``at_ms`` (``cypher/library/live_at``)."""
    return wh.read("library/live_at", at=at_ms, store=store)
