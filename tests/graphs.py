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
