"""Export of one pipeline's subgraph as JSON or GraphML, for sharing.

The subgraph holds the pipeline's :Pipeline context, its executions, every artifact they read or
wrote, every context they belong to and the pipeline's graphlets; its edges are all relationships
between those nodes (INPUT, OUTPUT, IN_CONTEXT, CHILD_OF, CONTAINS, NEXT). Nodes are identified
by their ``uid``; edges by the event ``uid`` (INPUT/OUTPUT) or ``source-TYPE->target``.

GraphML gets one typed ``<key>`` per (domain, property): ``boolean``, ``long``, ``double`` or
``string``; lists, maps and mixed-type properties are written as JSON text, bytes as base64.
"""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from mlprov.db import Warehouse
from mlprov.errors import QueryError

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Subgraph:
    store: str
    pipeline: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    """JSON-safe value: bytes as base64 text, everything else as is (lists recursively)."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def pipeline_store(wh: Warehouse, pipeline: str, store: str | None) -> str:
    """The one store holding ``pipeline`` (``store`` when given)."""
    stores = [r["store"] for r in wh.read("export/pipeline_stores", pipeline=pipeline)]
    if store is not None:
        if store not in stores:
            raise QueryError(f"store {store!r} has no pipeline named {pipeline!r}")
        return store
    if not stores:
        raise QueryError(f"no pipeline named {pipeline!r} (see `mlprov query pipelines`)")
    if len(stores) > 1:
        raise QueryError(f"pipeline {pipeline!r} exists in stores {', '.join(stores)}: choose one with --store")
    return str(stores[0])


def subgraph(wh: Warehouse, pipeline: str, store: str | None = None) -> Subgraph:
    """Read the pipeline's subgraph (nodes, then the relationships between them)."""
    store = pipeline_store(wh, pipeline, store)
    node_rows = wh.read("export/pipeline_nodes", pipeline=pipeline, store=store)
    uid_of: dict[str, str] = {}
    nodes: list[dict[str, Any]] = []
    for r in node_rows:
        props = {k: _plain(v) for k, v in sorted(r["props"].items())}
        uid = str(props.get("uid") or r["id"])
        uid_of[r["id"]] = uid
        nodes.append({"id": uid, "labels": sorted(r["labels"]), "properties": props})
    edges: list[dict[str, Any]] = []
    ids = list(uid_of)
    for i in range(0, len(ids), 5000):
        for r in wh.read("export/edges_from", ids=ids[i : i + 5000]):
            if r["target"] not in uid_of:
                continue
            src, dst = uid_of[r["source"]], uid_of[r["target"]]
            props = {k: _plain(v) for k, v in sorted(r["props"].items())}
            eid = str(props.get("uid") or f"{src}-{r['type']}->{dst}")
            edges.append({"id": eid, "type": r["type"], "source": src, "target": dst, "properties": props})
    edges.sort(key=lambda e: (e["source"], e["type"], e["target"], e["id"]))
    return Subgraph(store=store, pipeline=pipeline, nodes=nodes, edges=edges)


def to_json(sub: Subgraph) -> str:
    return json.dumps(
        {"store": sub.store, "pipeline": sub.pipeline, "nodes": sub.nodes, "edges": sub.edges},
        indent=1,
        ensure_ascii=False,
    )


def _graphml_type(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


def _text(value: Any, attr_type: str) -> str:
    if attr_type == "boolean":
        return "true" if value else "false"
    if attr_type in ("long", "double"):
        return repr(float(value)) if attr_type == "double" else str(int(value))
    return _clean(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


@dataclass
class _Keys:
    """GraphML keys of one domain: key id and attr.type per property, plus the fixed extra key."""

    extra: str
    ids: dict[str, str]
    types: dict[str, str]


def _declare(root: ET.Element, domain: str, items: list[dict[str, Any]], extra: str) -> _Keys:
    names = sorted({k for it in items for k in it["properties"]})
    types = {n: _graphml_type([it["properties"].get(n) for it in items]) for n in names}
    prefix = "n" if domain == "node" else "e"
    ET.SubElement(root, "key", {"id": f"{prefix}_{extra}", "for": domain, "attr.name": extra, "attr.type": "string"})
    ids = {}
    for i, name in enumerate(names):
        ids[name] = f"{prefix}{i}"
        ET.SubElement(root, "key", {"id": ids[name], "for": domain, "attr.name": name, "attr.type": types[name]})
    return _Keys(extra=f"{prefix}_{extra}", ids=ids, types=types)


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def _data(el: ET.Element, keys: _Keys, extra: str, props: dict[str, Any]) -> None:
    ET.SubElement(el, "data", {"key": keys.extra}).text = _clean(extra)
    for name, value in props.items():
        if value is not None:
            ET.SubElement(el, "data", {"key": keys.ids[name]}).text = _text(value, keys.types[name])


def to_graphml(sub: Subgraph) -> str:
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS})
    node_keys = _declare(root, "node", sub.nodes, "labels")
    edge_keys = _declare(root, "edge", sub.edges, "type")
    graph = ET.SubElement(root, "graph", {"id": _clean(f"{sub.store}:{sub.pipeline}"), "edgedefault": "directed"})
    for n in sub.nodes:
        el = ET.SubElement(graph, "node", {"id": _clean(n["id"])})
        _data(el, node_keys, ":".join(n["labels"]), n["properties"])
    for e in sub.edges:
        attrs = {"id": _clean(e["id"]), "source": _clean(e["source"]), "target": _clean(e["target"])}
        _data(ET.SubElement(graph, "edge", attrs), edge_keys, e["type"], e["properties"])
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def export(wh: Warehouse, pipeline: str, fmt: str, store: str | None = None) -> tuple[Subgraph, str]:
    """The subgraph and its text in ``fmt`` (``json`` or ``graphml``)."""
    if fmt not in ("json", "graphml"):
        raise QueryError(f"export format must be json or graphml, not {fmt!r}")
    sub = subgraph(wh, pipeline, store)
    return sub, to_json(sub) if fmt == "json" else to_graphml(sub)
