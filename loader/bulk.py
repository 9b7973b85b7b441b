"""Bulk first load: MLMD stores → CSV files → ``neo4j-admin database import full`` → the same graph.

``mlprov load --bulk`` fills an EMPTY warehouse of the managed server from one or more stores:

1. every source is opened and checked like a normal load, the free disk is estimated, and the
   warehouse is checked to be empty (each refusal is one line and changes nothing);
2. each store's rows, shaped by the same source reader as the transactional loader (``loader/sources/``) and
   named by the same graph model (``loader/model.py``), are streamed to CSV files: a chunk at a time,
   a new file whenever a chunk's columns differ, so no table is held whole and every property keeps
   its type (integers stay integers, lists, bytes, JSON text). A store's nodes, events and context
   links are written by parallel writer processes (``PARTS``), each with its own connection;
3. the server stops (while the CSV files are written: its shutdown overlaps step 2), the importer
   writes a new database beside the old one, and only a finished import is swapped in
   (``ManagedServer.bulk_import``); if writing the CSV files fails, the server is started again;
4. the server starts; the constraints and indexes are created, rows with values a CSV cannot carry
   exactly (empty lists or bytes, list items with the array delimiter, non-finite doubles, a property
   key a CSV header cannot name, a property whose type changes within a chunk), kept meanwhile as
   typed JSON lines, are written by the transactional statements,
   and each :Store node gets the same bookkeeping as after a transactional load.

A run killed at any point is repaired by running it again: until the bookkeeping is done the graph
holds only what this bulk load imported, so the next run imports anew over it.
"""

from __future__ import annotations

import base64
import csv
import gc
import io
import json
import math
import multiprocessing
import os
import re
import resource
import shutil
import threading
import time
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from mlprov.db import Warehouse
from mlprov.errors import ConfigError, SourceError, WarehouseError
from mlprov.loader import model
from mlprov.loader.load import (
    LoadObserver,
    LoadReport,
    begin_props,
    commit_props,
    derive_pipelines,
    ensure_not_empty,
    store_name_for,
)
from mlprov.loader.migrate import require_current_model
from mlprov.loader.operators import OperatorMap
from mlprov.loader.sources import MetadataSource, Row, Watermark, open_source
from mlprov.server import ManagedServer, _die_with_parent
from mlprov.settings import resolve_connection

ARRAY_DELIMITER = ";"
SPOOL = "spool.jsonl"  # rows for the transactional writer, one typed JSON array per line
CHUNK = 20_000
# a store's share of each writer process: its nodes, its events, its context links (in this order)
PARTS = ("nodes", "events", "links")
LINK_TABLES = (model.ASSOCIATION.table, model.ATTRIBUTION.table)
MAX_WORKERS = 4  # writer processes (at most one per CPU); each holds one chunk at a time
# disk needed per byte of source: CSV files (~1.3x the SQLite file on bench), the imported
# database (~1.3x) and the old database kept until the swap, with a margin
DISK_FACTOR = 4.0
INDEX_WAIT_S = 3600
_HEADER_KEY = re.compile(r"[^:,\"\r\n;]+")


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


class _Null(float):
    """A CSV field with no value (no property). The writer quotes every field but numbers
    (``QUOTE_NONNUMERIC``: a string, even an empty one, stays a string for the importer); this number
    prints as nothing. Python 3.11's csv module would write None as ``""``, an empty string."""

    def __str__(self) -> str:
        return ""


NULL = _Null()
_NONE: dict[str, Any] = {}  # the properties of a relationship without any (never changed)
_MIN_LONG, _MAX_LONG = -(2**63), 2**63
# the importer's type of a value by its Python type, if the value is one it can carry exactly
_KINDS: dict[type, str] = {
    str: "string",
    int: "long",
    float: "double",
    bool: "boolean",
    bytes: "byte[]",
    list: "string[]",
}
# how values the csv module would not write as the importer reads them are written
_CONVERT: dict[str, Callable[[Any], str]] = {
    "boolean": lambda v: "true" if v else "false",
    "byte[]": lambda v: ARRAY_DELIMITER.join(map(str, array("b", v))),
    "string[]": ARRAY_DELIMITER.join,
}


def _csv_type(value: Any) -> str | None:
    """The importer's type for a value it can carry exactly, else None."""
    kind = _KINDS.get(type(value))
    if kind == "long":
        return kind if _MIN_LONG <= value < _MAX_LONG else None
    if kind == "double":
        return kind if math.isfinite(value) else None
    if kind == "byte[]":
        return kind if value else None
    if kind == "string[]":
        return kind if _exact_array(value) else None
    return kind


def _exact_array(value: list[Any]) -> bool:
    """Whether the importer reads a list back as it is: non-empty strings without the array delimiter
    or a quote."""
    try:
        joined = ARRAY_DELIMITER.join(value)
    except TypeError:  # not all strings
        return False
    return bool(value) and all(value) and '"' not in joined and joined.count(ARRAY_DELIMITER) == len(value) - 1


class _Part:
    """The files one writer process writes: CSV files and rows left for the transactional writer."""

    def __init__(self, directory: Path) -> None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        self.directory = directory
        self.nodes: list[tuple[str, Path]] = []
        self.relationships: list[tuple[str, Path]] = []
        self.multiline: list[Path] = []  # files with fields that span lines
        self.bytes_written = 0
        self.spooled = 0
        self._spool = (directory / SPOOL).open("w", encoding="utf-8")
        self._open: list[TextIO] = []

    def new_file(self, kind: str, name: str) -> tuple[Path, TextIO]:
        target = self.nodes if kind == "nodes" else self.relationships
        path = self.directory / f"{kind}-{name}-{len(self.nodes) + len(self.relationships):04d}.csv"
        target.append((name, path))
        fh = path.open("w", encoding="utf-8", newline="")
        self._open.append(fh)
        return path, fh

    def spool(self, query_name: str, row: Row) -> None:
        self._spool.write(json.dumps([query_name, _tagged(row)]) + "\n")
        self.spooled += 1

    def close(self) -> None:
        for fh in self._open:
            if not fh.closed:
                self.bytes_written += fh.tell()
                fh.close()
        self._spool.close()


@dataclass
class CsvFiles:
    """The importer's input: node and relationship files of all writer processes, in order, and the
    rows they left for the transactional writer."""

    directory: Path
    nodes: list[tuple[str, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path]] = field(default_factory=list)
    spools: list[Path] = field(default_factory=list)
    multiline: list[Path] = field(default_factory=list)
    bytes_written: int = 0
    spooled: int = 0
    peak_rss_mib: float = 0.0

    def add(self, part: _PartResult) -> None:
        self.nodes += part.nodes
        self.relationships += part.relationships
        self.spools.append(part.spool)
        self.multiline += part.multiline
        self.bytes_written += part.bytes_written
        self.spooled += part.spooled

    def spooled_rows(self, batch: int) -> Iterator[tuple[str, list[Row]]]:
        """The spooled rows in batches of one statement each, in the order they were spooled."""
        current, rows = "", list[Row]()
        for spool in self.spools:
            with spool.open(encoding="utf-8") as fh:
                for line in fh:
                    name, tagged = json.loads(line)
                    if rows and (name != current or len(rows) >= batch):
                        yield current, rows
                        rows = []
                    current = name
                    rows.append(_untagged(tagged))
        if rows:
            yield current, rows


class _Group:
    """The files of one node label or relationship type: a chunk goes to the current file when its
    columns are the same, else to a new file with its own header (one import group each)."""

    def __init__(self, files: _Part, kind: str, name: str, ids: list[str], *, labels: bool, skip: str = "") -> None:
        self.files, self.kind, self.name, self.ids = files, kind, name, ids
        self.labels, self.skip = labels, skip
        self._fh: TextIO | None = None
        self._path: Path | None = None
        self._header = ""

    def _types(self, records: list[tuple[list[str], dict[str, Any], list[str]]]) -> tuple[dict[str, str], list[bool]]:
        """The CSV type of each column, and per record whether the CSV holds all its values exactly."""
        types: dict[str, str] = {}
        exact = [True] * len(records)
        kinds = _KINDS
        for i, (_, props, _) in enumerate(records):
            for key, value in props.items():
                kind = kinds.get(type(value))
                if kind is None:
                    if value is not None:
                        exact[i] = False
                    continue
                if kind == "long":
                    if not _MIN_LONG <= value < _MAX_LONG:
                        exact[i] = False
                        continue
                elif kind == "string[]":
                    if not _exact_array(value):
                        exact[i] = False
                        continue
                elif kind != "string" and _csv_type(value) is None:
                    exact[i] = False
                    continue
                if types.setdefault(key, kind) != kind:
                    exact[i] = False
        types.pop(self.skip, None)
        unnamed = [k for k in types if not _HEADER_KEY.fullmatch(k) or k.strip() != k]
        for key in unnamed:  # a key the header cannot name: its records go the transactional way
            del types[key]
            for i, (_, props, _) in enumerate(records):
                if props.get(key) is not None:
                    exact[i] = False
        return types, exact

    def write(self, records: list[tuple[list[str], dict[str, Any], list[str]]]) -> list[bool]:
        """Write (ids, properties, extra labels) records; returns per record whether the CSV holds it
        exactly (a node is written anyway, so relationships find it; a relationship only if exact)."""
        types, exact = self._types(records)
        keys = sorted(types)
        header = ",".join([*self.ids, *(f"{k}:{types[k]}" for k in keys), *([":LABEL"] if self.labels else [])])
        if header != self._header or self._fh is None or self._path is None:
            self._path, self._fh = self.files.new_file(self.kind, self.name)
            self._fh.write(header + "\n")
            self._header = header
        first = len(self.ids)
        convert = [(first + j, _CONVERT[types[k]]) for j, k in enumerate(keys) if types[k] in _CONVERT]
        labels, nodes = self.labels, self.kind == "nodes"
        rows: list[list[Any]] = []
        for (ids, props, extra), ok in zip(records, exact, strict=True):
            if ok:  # every value is of its column's type
                row = [*ids, *map(props.get, keys)]
                if None in row:
                    row = [NULL if v is None else v for v in row]
            elif nodes:  # the values the CSV holds exactly; the spooled row writes the rest
                get = props.get
                row = [*ids, *[v if (v := get(k)) is not None and _csv_type(v) == types[k] else NULL for k in keys]]
            else:
                continue
            for j, conv in convert:
                if row[j] is not NULL:
                    row[j] = conv(row[j])
            if labels:
                row.append(ARRAY_DELIMITER.join(extra) if extra else NULL)
            rows.append(row)
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
        if ("\r" in text or text.count("\n") != len(rows)) and self._path not in self.files.multiline:
            self.files.multiline.append(self._path)
        self._fh.write(text)
        return exact


@dataclass
class _Store:
    """One source on its way into the graph."""

    name: str
    spec: str
    source: MetadataSource
    report: LoadReport
    target: Watermark | None = None
    pending: dict[str, int] | None = None
    dangling: dict[str, int] | None = None


@dataclass
class _PartResult:
    """What a writer process wrote, and the rows it read (for the load report)."""

    nodes: list[tuple[str, Path]]
    relationships: list[tuple[str, Path]]
    spool: Path
    multiline: list[Path]
    bytes_written: int
    spooled: int
    rows: dict[str, int] = field(default_factory=dict)
    dangling: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, files: _Part) -> _PartResult:
        return cls(
            files.nodes,
            files.relationships,
            files.directory / SPOOL,
            files.multiline,
            files.bytes_written,
            files.spooled,
        )


@dataclass(frozen=True)
class _Job:
    """One writer process's share of a store: its nodes, its events or its context links."""

    spec: str
    store: str
    part: str
    directory: Path
    batch: int
    operators: OperatorMap
    totals: dict[str, int]


class _Writer:
    """Streams one part of a store to CSV files, one group per label and relationship type."""

    def __init__(self, job: _Job, files: _Part, observer: LoadObserver) -> None:
        self.job, self.files, self.observer = job, files, observer
        self.rows: dict[str, int] = {}
        self.dangling: dict[str, int] = {}
        self.groups: dict[str, _Group] = {
            kind.label: _Group(files, "nodes", kind.label, ["uid:ID"], labels=kind is model.CONTEXT, skip="uid")
            for kind in model.NODES
        }
        for rel in model.RELATIONSHIPS:
            self.groups.setdefault(
                rel.type, _Group(files, "relationships", rel.type, [":START_ID", ":END_ID"], labels=False)
            )

    def run(self, reader: MetadataSource) -> None:
        wm, b = Watermark(), self.job.batch
        if self.job.part == "nodes":
            self._nodes(model.CONTEXT, reader.contexts(wm, b))
            self._nodes(model.EXECUTION, reader.executions(wm, b))
            self._nodes(model.ARTIFACT, reader.artifacts(wm, b))
        elif self.job.part == "events":
            self._events(reader.events(wm, b))
        else:
            self._links(model.PARENT_CONTEXT, reader.parent_contexts(b))
            self._links(model.ASSOCIATION, reader.associations(wm, b))
            self._links(model.ATTRIBUTION, reader.attributions(wm, b))

    def _nodes(self, kind: model.NodeKind, batches: Iterator[list[Row]]) -> None:
        self.observer.begin(kind.table, self.job.totals[kind.table])
        done = 0
        for rows in batches:
            exact = self.groups[kind.label].write([([r["uid"]], r["props"], r.get("labels", [])) for r in rows])
            for row, ok in zip(rows, exact, strict=True):
                if not ok:
                    self.files.spool("load/" + kind.table, row)
            done += len(rows)
            self.observer.advance(kind.table, len(rows))
        self.rows[kind.table] = done

    def _rels(self, rel: model.RelKind, rows: list[Row]) -> None:
        exact = self.groups[rel.type].write([([r[rel.start], r[rel.end]], r.get("props", _NONE), []) for r in rows])
        for row, ok in zip(rows, exact, strict=True):
            if not ok:
                self.files.spool("load/" + rel.table, row)

    def _links(self, rel: model.RelKind, batches: Iterator[tuple[list[Row], int]]) -> None:
        self.observer.begin(rel.table, self.job.totals[rel.table])
        done = dangling = 0
        for rows, bad in batches:
            self._rels(rel, rows)
            done += len(rows)
            dangling += bad
            self.observer.advance(rel.table, len(rows) + bad)
        self.rows[rel.table] = done
        if dangling:
            self.dangling[rel.table] = dangling

    def _events(self, batches: Iterator[tuple[list[Row], list[Row], int]]) -> None:
        self.observer.begin("events", self.job.totals["events"])
        done = dangling = 0
        for inputs, outputs, bad in batches:
            self._rels(model.INPUT, inputs)
            self._rels(model.OUTPUT, outputs)
            done += len(inputs) + len(outputs)
            dangling += bad
            self.observer.advance("events", len(inputs) + len(outputs) + bad)
        self.rows["events"] = done
        if dangling:
            self.dangling["events"] = dangling


class _QueueObserver:
    """A writer process's progress, sent to the process that shows it."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def begin(self, table: str, total: int) -> None:
        self.queue.put(("begin", table, total))

    def advance(self, table: str, rows: int) -> None:
        self.queue.put(("advance", table, rows))


_PROGRESS: Any = None


def _worker_init(queue: Any, parent: int) -> None:
    """In a writer process: die with the loading process (a killed load leaves no writer behind)."""
    global _PROGRESS
    _die_with_parent()
    # the rows hold no reference cycles; the collector's passes over each chunk's objects cost
    # about a third of a writer's CPU time (measured on a generated `bench --pipelines 60` store)
    gc.disable()
    if os.getppid() != parent:
        os._exit(1)
    _PROGRESS = queue


def _write_part(job: _Job) -> _PartResult:
    """Write one part of one store (in a writer process)."""
    source = open_source(job.spec, store=job.store, operators=job.operators, verify=False)
    try:
        files = _Part(job.directory)
        writer = _Writer(job, files, _QueueObserver(_PROGRESS) if _PROGRESS is not None else _Silent())
        try:
            writer.run(source)
        finally:
            files.close()
    finally:
        source.close()
    result = _PartResult.of(files)
    result.rows, result.dangling = writer.rows, writer.dangling
    return result


def _workers(jobs: int) -> int:
    return max(1, min(jobs, os.cpu_count() or 1, MAX_WORKERS))


def _run_jobs(jobs: list[_Job], observer: LoadObserver) -> list[_PartResult]:
    """Run the writer jobs in parallel processes, showing their progress here."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads and open connections
    queue = ctx.SimpleQueue()

    def show() -> None:
        while not queue.empty():
            what, table, count = queue.get()
            (observer.begin if what == "begin" else observer.advance)(table, count)

    workers = _workers(len(jobs))
    with ProcessPoolExecutor(workers, ctx, initializer=_worker_init, initargs=(queue, os.getpid())) as pool:
        futures = [pool.submit(_write_part, job) for job in jobs]
        waiting = set(futures)
        while waiting:
            _, waiting = wait(waiting, timeout=0.2, return_when=FIRST_EXCEPTION)
            show()
            failed = next((f for f in futures if f.done() and f.exception() is not None), None)
            if failed is not None:
                pool.shutdown(wait=False, cancel_futures=True)
                failed.result()
        results = [f.result() for f in futures]
    show()
    return results


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
            source = open_source(spec, store=name, operators=operators)
            report = LoadReport(store=name, source=source.label, schema_version=source.schema_version)
            stores.append(_Store(name, spec, source, report))
            ensure_not_empty(source)
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


def _write_all(
    stores: list[_Store], directory: Path, observer: LoadObserver, batch_size: int, operators: OperatorMap
) -> CsvFiles:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    head = _Part(directory / "stores")
    jobs: list[_Job] = []
    try:
        # the warehouse's graph model version, imported with its first stores (as load/store_begin writes it)
        version = _Group(head, "nodes", model.WAREHOUSE_LABEL, [f"id:ID({model.WAREHOUSE_LABEL})"], labels=False)
        version.write([([model.WAREHOUSE_ID], {"graph_model_version": model.MODEL_VERSION}, [])])
        group = _Group(head, "nodes", model.STORE_LABEL, [f"name:ID({model.STORE_LABEL})"], labels=False)
        for i, st in enumerate(stores):
            reader = st.source
            st.target = reader.current_watermark()
            st.pending = reader.pending_counts(Watermark())
            group.write([([st.name], {**begin_props(reader), "status": "loading"}, [])])
            jobs += [
                _Job(st.spec, st.name, part, directory / f"{i:04d}-{part}", batch_size, operators, st.pending)
                for part in PARTS
            ]
    finally:
        head.close()
    files = CsvFiles(directory)
    files.add(_PartResult.of(head))
    by_name = {st.name: st for st in stores}
    for job, result in zip(jobs, _run_jobs(jobs, observer), strict=True):
        files.add(result)
        report = by_name[job.store].report
        report.rows.update(result.rows)
        report.dangling.update(result.dangling)
    for st in stores:
        # what dangling_counts() would count: the parts read every row of the store
        dangling = st.report.dangling
        st.dangling = {"events": dangling.get("events", 0), "links": sum(dangling.get(t, 0) for t in LINK_TABLES)}
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    files.peak_rss_mib = (own + min(len(jobs), MAX_WORKERS) * child) / 1024
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
    op_map = operators or OperatorMap.load()
    stores = _open_all(specs, None, op_map)
    try:
        return _write_all(stores, directory, observer or _Silent(), batch_size, op_map), [st.report for st in stores]
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
    op_map = operators or OperatorMap.load()
    stores = _open_all(specs, store, op_map)
    try:
        _check_disk(stores, server.home)
        server.start()
        with Warehouse.connect(resolve_connection()) as wh:
            require_current_model(wh)
            _check_empty(wh, server)
        # the import needs the server stopped; its shutdown checkpoint runs while the CSV files are written
        stopping = threading.Thread(target=server.stop, name="mlprov-bulk-stop")
        stopping.start()
        try:
            files = _write_all(stores, server.home / "bulk" / "csv", observer or _Silent(), batch_size, op_map)
        except BaseException:
            stopping.join()
            server.start()  # as it was: nothing was imported
            raise
        stopping.join()
    finally:
        for st in stores:
            st.source.close()
    csv_seconds = time.monotonic() - started
    say(
        f"CSV files: {files.bytes_written / 1e6:,.1f} MB in {csv_seconds:.1f}s "
        f"(peak RSS {files.peak_rss_mib:,.0f} MiB, "
        "this process and its writer processes at once, at most); "
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
        indexed = time.monotonic()
        for query_name, rows in files.spooled_rows(batch_size):
            wh.write_rows(query_name, rows, batch=batch_size)
        for st in stores:
            assert st.target is not None and st.pending is not None and st.dangling is not None
            derive_pipelines(wh, st.name)
            st.report.seconds = time.monotonic() - started
            counts = wh.read("load/store_counts", store=st.name)[0]
            wh.write(
                "load/store_commit",
                name=st.name,
                props=commit_props(st.target, counts, st.pending, st.dangling, st.report.seconds),
            )
    server.bulk_done()
    shutil.rmtree(files.directory, ignore_errors=True)
    done = time.monotonic()
    say(
        f"constraints, indexes and bookkeeping {done - finishing:.1f}s "
        f"(indexes online after {indexed - finishing:.1f}s; uncarried rows, pipelines and :Store nodes "
        f"{done - indexed:.1f}s)"
    )
    for st in stores:
        st.report.seconds = time.monotonic() - started
    return [st.report for st in stores]
