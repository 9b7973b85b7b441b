"""Helpers to compare what a store looks like in the graph."""

from __future__ import annotations

import json
from typing import Any

from mlprov.db import Warehouse


def _canon(value: Any) -> Any:
    if isinstance(value, bytes):
        return "bytes:" + value.hex()
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return value


def store_graph(wh: Warehouse, store: str) -> tuple[set[str], set[str]]:
    """(nodes, relationships) of a store as sets of canonical JSON strings: equal sets, equal graphs."""
    nodes = {
        json.dumps([sorted(r["labels"]), {k: _canon(v) for k, v in r["props"].items()}], sort_keys=True)
        for r in wh.read("admin/store_nodes", store=store)
    }
    rels = {
        json.dumps([r["source"], r["type"], r["target"], {k: _canon(v) for k, v in r["props"].items()}], sort_keys=True)
        for r in wh.read("admin/store_relationships", store=store)
    }
    return nodes, rels


def whole_graph(wh: Warehouse) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and every relationship (its ends' keys, type, properties) of the
    warehouse as sorted canonical JSON strings: equal lists, equal graphs (duplicates counted).
    A node's key is its ``uid``, a :Store's its ``name``, the :Warehouse node's its ``id``."""
    _, node_rows, _ = wh.read_text(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", limit=1_000_000, timeout_s=120
    )
    _, rel_rows, _ = wh.read_text(
        "MATCH (a)-[r]->(b) RETURN [coalesce(a.uid, a.name, a.id), type(r), coalesce(b.uid, b.name, b.id)] AS key, "
        "properties(r) AS props",
        limit=1_000_000,
        timeout_s=120,
    )
    nodes = sorted(
        json.dumps([sorted(r["labels"]), {k: _canon(v) for k, v in r["props"].items()}], sort_keys=True)
        for r in node_rows
    )
    rels = sorted(
        json.dumps([r["key"], {k: _canon(v) for k, v in r["props"].items()}], sort_keys=True) for r in rel_rows
    )
    return nodes, rels
