"""Bulk first load: MLMD stores → CSV files → ``neo4j-admin database import full`` → the same graph.

``mlprov load --bulk`` fills an EMPTY warehouse of the managed server from one or more stores:

1. every source is opened and checked like a normal load, the free disk is estimated, and the
   warehouse is checked to be empty (each refusal is one line and changes nothing);
2. each store's rows, shaped by the same reader as the transactional loader (``loader/mlmd.py``) and
   named by the same graph model (``loader/model.py``), are streamed to CSV files: a chunk at a time,
   a new file whenever a chunk's columns differ, so no table is held whole and every property keeps
   its type (integers stay integers, lists, bytes, JSON text);
3. the server stops, the importer writes a new database beside the old one, and only a finished
   import is swapped in (``ManagedServer.bulk_import``);
4. the server starts; the constraints and indexes are created, values a CSV cannot carry exactly
   (empty lists or bytes, list items with the array delimiter, a property key a CSV header cannot
   name, a property whose type changes within a chunk) are written by the transactional statements,
   and each :Store node gets the same bookkeeping as after a transactional load.

A run killed at any point is repaired by running it again: until the bookkeeping is done the graph
holds only what this bulk load imported, so the next run imports anew over it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from mlprov.db import Warehouse
from mlprov.errors import ConfigError, SourceError, WarehouseError
from mlprov.loader import model
from mlprov.loader.load import LoadObserver, LoadReport, begin_props, commit_props, ensure_not_empty, store_name_for
from mlprov.loader.mlmd import MlmdReader, Row, Watermark
from mlprov.loader.operators import OperatorMap
from mlprov.loader.source import MlmdSource, open_source
from mlprov.server import ManagedServer
from mlprov.settings import resolve_connection

ARRAY_DELIMITER = ";"
SPOOL = "spool.jsonl"  # rows for the transactional writer, one typed JSON array per line
CHUNK = 20_000
# disk needed per byte of source: CSV files (~1.3x the SQLite file on bench), the imported
# database (~1.3x) and the old database kept until the swap, with a margin
DISK_FACTOR = 4.0
INDEX_WAIT_S = 3600
_HEADER_KEY = re.compile(r"[^:,\"\r\n;]+")
_LONG = range(-(2**63), 2**63)
_SPECIAL_FLOATS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _tagged(value: Any) -> Any:
    """A row as JSON that keeps every type: JSON arrays are tagged ``["l", items]`` (a list) or
    ``["b", base64]`` (bytes); dicts, strings, numbers, booleans and null are JSON's own."""
    if isinstance(value, dict):
        return {str(k): _tagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return ["l", [_tagged(v) for v in value]]
    if isinstance(value, bytes):
        return ["b", base64.b64encode(value).decode("ascii")]
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot spool a {type(value).__name__} value")


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        tag, body = value
        return [_untagged(v) for v in body] if tag == "l" else base64.b64decode(body)
    return value


class _Silent:
    def begin(self, table: str, total: int) -> None:
        pass

    def advance(self, table: str, rows: int) -> None:
        pass


def _csv_type(value: Any) -> str | None:
    """The importer's type for a value it can carry exactly, else None."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long" if value in _LONG else None
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "byte[]" if value else None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return None if any(not v or ARRAY_DELIMITER in v or '"' in v for v in value) else "string[]"
    return None


class CsvFiles:
    """The importer's input: node and relationship files, and rows left for the transactional writer."""

    def __init__(self, directory: Path) -> None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        self.directory = directory
        self.nodes: list[tuple[str, Path]] = []
        self.relationships: list[tuple[str, Path]] = []
        self.multiline = False
        self.bytes_written = 0
        self.spooled = 0
        self._spool = (directory / SPOOL).open("w", encoding="utf-8")
        self._open: list[TextIO] = []

    def new_file(self, kind: str, name: str) -> TextIO:
        target = self.nodes if kind == "nodes" else self.relationships
        path = self.directory / f"{kind}-{name}-{len(target):04d}.csv"
        target.append((name, path))
        fh = path.open("w", encoding="utf-8", newline="")
        self._open.append(fh)
        return fh

    def spool(self, query_name: str, row: Row) -> None:
        self._spool.write(json.dumps([query_name, _tagged(row)]) + "\n")
        self.spooled += 1

    def field(self, value: Any, kind: str) -> str:
        if kind == "boolean":
            return "true" if value else "false"
        if kind == "long":
            return str(value)
        if kind == "double":
            text = repr(float(value))
            return _SPECIAL_FLOATS.get(text, text)
        if kind == "byte[]":
            return ARRAY_DELIMITER.join(str(b - 256 if b > 127 else b) for b in value)
        if kind == "string[]":
            return self.quote(ARRAY_DELIMITER.join(value))
        return self.quote(value)

    def quote(self, text: str) -> str:
        if "\n" in text or "\r" in text:
            self.multiline = True
        return '"' + text.replace('"', '""') + '"'

    def close(self) -> None:
        for fh in self._open:
            if not fh.closed:
                self.bytes_written += fh.tell()
                fh.close()
        self._spool.close()

    def spooled_rows(self, batch: int) -> Iterator[tuple[str, list[Row]]]:
        """The spooled rows in batches of one statement each, in the order they were spooled."""
        current, rows = "", list[Row]()
        with (self.directory / SPOOL).open(encoding="utf-8") as fh:
            for line in fh:
                name, tagged = json.loads(line)
                row = _untagged(tagged)
                if rows and (name != current or len(rows) >= batch):
                    yield current, rows
                    rows = []
                current = name
                rows.append(row)
        if rows:
            yield current, rows


class _Group:
    """The files of one node label or relationship type: a chunk goes to the current file when its
    columns are the same, else to a new file with its own header (one import group each)."""

    def __init__(self, files: CsvFiles, kind: str, name: str, ids: list[str], *, labels: bool, skip: str = "") -> None:
        self.files, self.kind, self.name, self.ids = files, kind, name, ids
        self.labels, self.skip = labels, skip
        self._fh: TextIO | None = None
        self._header = ""

    def write(self, records: list[tuple[list[str], dict[str, Any], list[str]]]) -> list[bool]:
        """Write (ids, properties, extra labels) records; returns per record whether the CSV holds it
        exactly (a node is written anyway, so relationships find it; a relationship only if exact)."""
        types: dict[str, str] = {}
        exact = [True] * len(records)
        for i, (_, props, _) in enumerate(records):
            for key, value in props.items():
                if value is None or key == self.skip:
                    continue
                kind = _csv_type(value)
                nameable = bool(_HEADER_KEY.fullmatch(key)) and key.strip() == key
                if kind is None or not nameable or types.setdefault(key, kind) != kind:
                    exact[i] = False
        keys = sorted(types)
        header = ",".join([*self.ids, *(f"{k}:{types[k]}" for k in keys), *([":LABEL"] if self.labels else [])])
        if header != self._header or self._fh is None:
            self._fh = self.files.new_file(self.kind, self.name)
            self._fh.write(header + "\n")
            self._header = header
        fmt, fh = self.files, self._fh
        lines = []
        for (ids, props, labels), ok in zip(records, exact, strict=True):
            if not ok and self.kind == "relationships":
                continue
            cells = [fmt.quote(i) for i in ids]
            for k in keys:
                v = props.get(k)
                cells.append("" if v is None or _csv_type(v) != types[k] else fmt.field(v, types[k]))
            if self.labels:
                cells.append(ARRAY_DELIMITER.join(labels))
            lines.append(",".join(cells) + "\n")
        fh.writelines(lines)
        return exact


@dataclass
class _Store:
    """One source on its way into the graph."""

    name: str
    source: MlmdSource
    reader: MlmdReader
    report: LoadReport
    target: Watermark | None = None
    pending: dict[str, int] | None = None
    dangling: dict[str, int] | None = None


class _Writer:
    """Streams stores to CSV files, one group per label and relationship type."""

    def __init__(self, files: CsvFiles, observer: LoadObserver, batch: int) -> None:
        self.files, self.observer, self.batch = files, observer, batch
        self.groups: dict[str, _Group] = {
            kind.label: _Group(files, "nodes", kind.label, ["uid:ID"], labels=kind is model.CONTEXT, skip="uid")
            for kind in model.NODES
        }
        for rel in model.RELATIONSHIPS:
            self.groups.setdefault(
                rel.type, _Group(files, "relationships", rel.type, [":START_ID", ":END_ID"], labels=False)
            )
        self.groups[model.STORE_LABEL] = _Group(
            files, "nodes", model.STORE_LABEL, [f"name:ID({model.STORE_LABEL})"], labels=False
        )

    def store(self, st: _Store) -> None:
        reader, wm = st.reader, Watermark()
        st.target = reader.current_watermark()
        st.pending = reader.pending_counts(wm)
        st.dangling = reader.dangling_counts()
        self.groups[model.STORE_LABEL].write([([st.name], {**begin_props(st.source, reader), "status": "loading"}, [])])
        b = self.batch
        for kind, batches in (
            (model.CONTEXT, reader.contexts(wm, b)),
            (model.EXECUTION, reader.executions(wm, b)),
            (model.ARTIFACT, reader.artifacts(wm, b)),
        ):
            self._nodes(st, kind, batches)
        self._links(st, model.PARENT_CONTEXT, reader.parent_contexts(b))
        self._events(st, reader.events(wm, b))
        self._links(st, model.ASSOCIATION, reader.associations(wm, b))
        self._links(st, model.ATTRIBUTION, reader.attributions(wm, b))

    def _nodes(self, st: _Store, kind: model.NodeKind, batches: Iterator[list[Row]]) -> None:
        assert st.pending is not None
        self.observer.begin(kind.table, st.pending[kind.table])
        done = 0
        for rows in batches:
            exact = self.groups[kind.label].write([([r["uid"]], r["props"], r.get("labels", [])) for r in rows])
            for row, ok in zip(rows, exact, strict=True):
                if not ok:
                    self.files.spool("load/" + kind.table, row)
            done += len(rows)
            self.observer.advance(kind.table, len(rows))
        st.report.rows[kind.table] = done

    def _rels(self, rel: model.RelKind, rows: list[Row]) -> None:
        exact = self.groups[rel.type].write([([r[rel.start], r[rel.end]], r.get("props", {}), []) for r in rows])
        for row, ok in zip(rows, exact, strict=True):
            if not ok:
                self.files.spool("load/" + rel.table, row)

    def _links(self, st: _Store, rel: model.RelKind, batches: Iterator[tuple[list[Row], int]]) -> None:
        assert st.pending is not None
        self.observer.begin(rel.table, st.pending[rel.table])
        done = dangling = 0
        for rows, bad in batches:
            self._rels(rel, rows)
            done += len(rows)
            dangling += bad
            self.observer.advance(rel.table, len(rows) + bad)
        st.report.rows[rel.table] = done
        if dangling:
            st.report.dangling[rel.table] = dangling

    def _events(self, st: _Store, batches: Iterator[tuple[list[Row], list[Row], int]]) -> None:
        assert st.pending is not None
        self.observer.begin("events", st.pending["events"])
        done = dangling = 0
        for inputs, outputs, bad in batches:
            self._rels(model.INPUT, inputs)
            self._rels(model.OUTPUT, outputs)
            done += len(inputs) + len(outputs)
            dangling += bad
            self.observer.advance("events", len(inputs) + len(outputs) + bad)
        st.report.rows["events"] = done
        if dangling:
            st.report.dangling["events"] = dangling


def _refuse_remote() -> None:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        raise ConfigError(
            f"--bulk needs the managed server's own files, but NEO4J_URI points at {uri}: "
            "load into that server with `mlprov load` (the transactional loader) instead"
        )


def _open_all(specs: list[str], store: str | None, operators: OperatorMap) -> list[_Store]:
    if store and len(specs) > 1:
        raise SourceError("--store-name needs exactly one source")
    stores: list[_Store] = []
    try:
        for spec in specs:
            name = store or store_name_for(spec)
            if any(s.name == name for s in stores):
                raise SourceError(f"{spec}: a second source named {name!r} (store names come from file names)")
            source = open_source(spec)
            report = LoadReport(store=name, source=source.label, schema_version=source.schema_version)
            stores.append(_Store(name, source, MlmdReader(source, name, operators), report))
            ensure_not_empty(stores[-1].reader)
    except BaseException:
        for st in stores:
            st.source.close()
        raise
    return stores


def _check_disk(stores: list[_Store], home: Path) -> None:
    size = sum(st.source.size_bytes() for st in stores)
    need = int(size * DISK_FACTOR)
    probe = home if home.exists() else home.parent
    free = shutil.disk_usage(probe).free
    if free < need:
        raise ConfigError(
            f"{probe}: {free / 1e9:.1f} GB free, but a bulk load of {size / 1e9:.1f} GB of MLMD stores needs "
            f"about {need / 1e9:.1f} GB (CSV files and the imported database); free some space or use `mlprov load`"
        )


def _check_empty(wh: Warehouse, server: ManagedServer) -> None:
    """An unfinished bulk load's graph may be imported over; anything else must be empty."""
    if server.bulk_state() == "swapped":
        return
    row = wh.read("load/bulk_target")[0]
    if row["nodes"]:
        names = ", ".join(row["stores"]) or "no :Store nodes"
        raise WarehouseError(
            f"--bulk only fills an empty warehouse, and this one holds {row['nodes']:,} nodes ({names}): "
            "load more stores with `mlprov load` (incremental), or `mlprov reset --yes` first to bulk-load anew"
        )


def _write_all(stores: list[_Store], directory: Path, observer: LoadObserver, batch_size: int) -> CsvFiles:
    files = CsvFiles(directory)
    try:
        writer = _Writer(files, observer, batch_size)
        for st in stores:
            writer.store(st)
    finally:
        files.close()
    return files


def write_csv(
    specs: list[str],
    directory: Path,
    *,
    operators: OperatorMap | None = None,
    observer: LoadObserver | None = None,
    batch_size: int = CHUNK,
) -> tuple[CsvFiles, list[LoadReport]]:
    """Only the CSV files of ``bulk_load`` (into ``directory``, emptied first), e.g. for benchmarks."""
    stores = _open_all(specs, None, operators or OperatorMap.load())
    try:
        return _write_all(stores, directory, observer or _Silent(), batch_size), [st.report for st in stores]
    finally:
        for st in stores:
            st.source.close()


def bulk_load(
    specs: list[str],
    *,
    store: str | None = None,
    operators: OperatorMap | None = None,
    observer: LoadObserver | None = None,
    batch_size: int = CHUNK,
    on_phase: Callable[[str], None] | None = None,
) -> list[LoadReport]:
    """Load the sources into the managed server's empty warehouse through the bulk importer."""
    started = time.monotonic()
    say = on_phase or (lambda _msg: None)
    _refuse_remote()
    server = ManagedServer()
    stores = _open_all(specs, store, operators or OperatorMap.load())
    try:
        _check_disk(stores, server.home)
        server.start()
        with Warehouse.connect(resolve_connection()) as wh:
            _check_empty(wh, server)
        files = _write_all(stores, server.home / "bulk" / "csv", observer or _Silent(), batch_size)
    finally:
        for st in stores:
            st.source.close()
    csv_seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(
        f"CSV files: {files.bytes_written / 1e6:,.1f} MB in {csv_seconds:.1f}s (peak RSS {peak:,.0f} MiB); "
        "importing with neo4j-admin, the server is stopped meanwhile"
    )
    imported = time.monotonic()
    try:
        summary = server.bulk_import(files.nodes, files.relationships, multiline=files.multiline)
    finally:
        server.start()  # on the imported database, or after a failed import on the old (empty) one
    say(f"{summary} (import and restart {time.monotonic() - imported:.1f}s)")
    finishing = time.monotonic()
    with Warehouse.connect(resolve_connection()) as wh:
        wh.apply_schema("schema/constraints")
        wh.read("load/await_indexes", seconds=INDEX_WAIT_S)
        for query_name, rows in files.spooled_rows(batch_size):
            wh.write_rows(query_name, rows, batch=batch_size)
        for st in stores:
            assert st.target is not None and st.pending is not None and st.dangling is not None
            wh.run_batched("load/execution_pipelines", store=st.name)
            st.report.seconds = time.monotonic() - started
            counts = wh.read("load/store_counts", store=st.name)[0]
            wh.write(
                "load/store_commit",
                name=st.name,
                props=commit_props(st.target, counts, st.pending, st.dangling, st.report.seconds),
            )
    server.bulk_done()
    shutil.rmtree(files.directory, ignore_errors=True)
    say(f"constraints, indexes and bookkeeping {time.monotonic() - finishing:.1f}s")
    for st in stores:
        st.report.seconds = time.monotonic() - started
    return [st.report for st in stores]
