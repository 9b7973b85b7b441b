"""Loading one MLMD store into the warehouse: get → transform → load → cleanup.

* Every source is fully checked (file, SQLite integrity, MLMD schema, identity) before the first
  write, so bad input never leaves anything in the graph.
* The :Store node is 'loading' while its rows are written and 'complete' after; a load that was
  killed, lost its server or ran out of memory is resumed by running it again: watermarks only
  advance at the commit, every write is an idempotent MERGE that replaces properties, and each
  finished step (a table, the pipeline derivation, the prune) is recorded on the :Store node
  (``load_steps``, with ``load_target``: the source's watermark and fingerprint the run read up to).
  A rerun against the unchanged source skips the finished steps, so what was written is not written
  again; when the source changed in between, the rerun does every step.
* Every statement is bounded: rows go in batches (split further when a batch exceeds the server's
  transaction memory, see ``Warehouse.write_rows``), the post-load derivation commits every
  ``batch_size`` executions, the prune deletes in batches and the uid listing for --prune is
  streamed (docs/bounded-transactions.md).
* Incremental: rows updated at or after the last complete load's watermark (nodes) or with ids
  above it (events, associations, attributions) are read; a no-op reload writes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from mlprov.db import DEFAULT_TX_ROWS, Warehouse
from mlprov.errors import SourceError
from mlprov.loader import model
from mlprov.loader.migrate import require_current_model
from mlprov.loader.operators import OperatorMap
from mlprov.loader.sources import MetadataSource, Row, Watermark, open_source
from mlprov.locks import store_locks

DEFAULT_BATCH = 20_000  # best of 1k/5k/20k in tests/bench/bench_load.py
DEFAULT_PRUNE_GUARD = 0.05


class LoadObserver(Protocol):
    """Receives progress: a table's total before it starts, then rows done after each batch."""

    def begin(self, table: str, total: int) -> None: ...

    def advance(self, table: str, rows: int) -> None: ...


class _Silent:
    def begin(self, table: str, total: int) -> None:
        pass

    def advance(self, table: str, rows: int) -> None:
        pass


class _PerStore:
    """Progress of one of several stores loaded at once: its tables are named with the store."""

    def __init__(self, observer: LoadObserver, store: str) -> None:
        self.observer, self.store = observer, store

    def begin(self, table: str, total: int) -> None:
        self.observer.begin(f"{self.store} {table}", total)

    def advance(self, table: str, rows: int) -> None:
        self.observer.advance(f"{self.store} {table}", rows)


@dataclass
class LoadReport:
    """What one load read and wrote."""

    store: str
    source: str
    schema_version: int
    rows: dict[str, int] = field(default_factory=dict)
    dangling: dict[str, int] = field(default_factory=dict)
    pruned: int = 0
    seconds: float = 0.0
    up_to_date: bool = False
    resumed: bool = False
    steps_done_before: list[str] = field(default_factory=list)

    @property
    def elements(self) -> int:
        return sum(self.rows.values())


def store_name_for(spec: str) -> str:
    """Default store name: the file name without its suffix, or the MySQL database name."""
    tail = spec.rstrip("/").rsplit("/", 1)[-1]
    return tail.split("?", 1)[0].rsplit(".", 1)[0] if "." in tail else tail


class Loader:
    """Loads MLMD stores into one warehouse."""

    def __init__(
        self,
        warehouse: Warehouse,
        *,
        batch_size: int = DEFAULT_BATCH,
        operators: OperatorMap | None = None,
        observer: LoadObserver | None = None,
    ) -> None:
        self.wh = warehouse
        self.batch_size = batch_size
        self.operators = operators or OperatorMap.load()
        self.observer: LoadObserver = observer or _Silent()
        self._schema_ready = False

    def ensure_schema(self) -> None:
        """Refuse a warehouse of another graph model (before touching it), then create the constraints."""
        if not self._schema_ready:
            require_current_model(self.wh)
            self.wh.apply_schema("schema/constraints")
            self._schema_ready = True

    def is_complete(self, name: str) -> bool:
        """Whether store ``name`` was loaded to the end before (then a load of it is a reload)."""
        found = self.wh.read("load/store_get", name=name)
        return bool(found) and found[0]["store"].get("status") == "complete"

    def load(
        self,
        spec: str | Path,
        *,
        store: str | None = None,
        replace: bool = False,
        prune: bool = False,
        force: bool = False,
        prune_guard: float = DEFAULT_PRUNE_GUARD,
    ) -> LoadReport:
        """Load (or incrementally reload) one source into the store called ``store``."""
        spec = str(spec)
        name = store or store_name_for(spec)
        source = open_source(spec, store=name, operators=self.operators, verify=replace or not self.is_complete(name))
        try:
            return self.load_source(source, name, replace=replace, prune=prune, force=force, prune_guard=prune_guard)
        finally:
            source.close()

    def load_source(
        self,
        source: MetadataSource,
        name: str,
        *,
        replace: bool = False,
        prune: bool = False,
        force: bool = False,
        prune_guard: float = DEFAULT_PRUNE_GUARD,
    ) -> LoadReport:
        """Load (or incrementally reload) an opened source (its rows are shaped for store ``name``),
        holding the store's lock (core/locks.py) from the first read of the graph to the commit."""
        self.ensure_schema()
        with store_locks(self.wh, [name], "load"):
            return self._load_locked(source, name, replace=replace, prune=prune, force=force, prune_guard=prune_guard)

    def _load_locked(
        self, source: MetadataSource, name: str, *, replace: bool, prune: bool, force: bool, prune_guard: float
    ) -> LoadReport:
        started = time.monotonic()
        existing = self.wh.read("load/store_get", name=name)
        stored: dict[str, Any] = existing[0]["store"] if existing else {}
        report = LoadReport(store=name, source=source.label, schema_version=source.schema_version)
        ensure_not_empty(source)
        if stored and not replace:
            conflict = source.identity_conflict(json.loads(stored.get("fingerprint") or "{}"))
            if conflict:
                raise SourceError(
                    f"{source.label}: is not the store loaded before as {name!r} ({conflict}); "
                    "use --replace to reload it from scratch, or another --store-name"
                )
        if stored and replace:
            # readers count complete stores only: mark it loading before its nodes start to go
            self.wh.write("load/store_begin", name=name, props={}, model_version=model.MODEL_VERSION)
            self.wh.run_batched("load/delete_store_nodes", store=name, batch=self.batch_size)
            self.wh.write("load/delete_store", name=name)
            stored = {}
        wm = Watermark.from_props(stored) if stored else Watermark()
        # A store never loaded before has none of its nodes and relationships yet: CREATE them instead
        # of MERGE (faster, see tests/bench/bench_load.py). A resumed or incremental load MERGEs.
        prefix = "load/first_" if not stored else "load/"
        report.resumed = stored.get("status") == "loading"
        vanished = self._vanished(source, name, prune_guard, force) if prune and stored else None
        pending = source.pending_counts(wm)
        target = source.current_watermark()
        if stored and not report.resumed and not vanished and self._nothing_new(pending, wm, target, stored):
            report.up_to_date = True
            report.seconds = time.monotonic() - started
            return report
        fingerprint = source.fingerprint()
        run_key = dumps({"target": target.as_props(), "fingerprint": fingerprint})
        if report.resumed and stored.get("load_target") == run_key:
            report.steps_done_before = [str(x) for x in stored.get("load_steps") or []]
        props: dict[str, Any] = {**begin_props(source), "load_target": run_key}
        if not report.steps_done_before:
            props["load_steps"] = []
        self.wh.write("load/store_begin", name=name, props=props, model_version=model.MODEL_VERSION)
        done = set(report.steps_done_before)

        b = self.batch_size

        def links(table: str, batches: Iterator[tuple[list[Row], int]]) -> Callable[[], None]:
            return lambda: self._links(table, prefix + table, batches, pending, report)

        def nodes(table: str, batches: Iterator[list[Row]]) -> Callable[[], None]:
            return lambda: self._nodes(table, prefix + table, batches, pending, report)

        # generators: nothing is read from the source before its step runs
        steps: list[tuple[str, Callable[[], None]]] = [
            ("contexts", nodes("contexts", source.contexts(wm, b))),
            ("executions", nodes("executions", source.executions(wm, b))),
            ("artifacts", nodes("artifacts", source.artifacts(wm, b))),
            ("parent_contexts", links("parent_contexts", source.parent_contexts(b))),
            ("events", lambda: self._events(source.events(wm, b), prefix, pending, report)),
            ("associations", links("associations", source.associations(wm, b))),
            ("attributions", links("attributions", source.attributions(wm, b))),
            ("pipelines", lambda: derive_pipelines(self.wh, name, b)),
        ]
        if vanished:
            steps.append(("prune", lambda: self._prune(vanished, report)))
        for key, work in steps:
            if key not in done:
                work()
                self.wh.write("load/store_step", name=name, step=key)
        self._commit(source, name, target, pending, report, started)
        return report

    def _commit(
        self,
        reader: MetadataSource,
        name: str,
        target: Watermark,
        pending: dict[str, int],
        report: LoadReport,
        started: float,
    ) -> None:
        """Count what the graph holds for the store, record watermarks and counts, mark it complete."""
        counts = self.wh.read("load/store_counts", store=name)[0]
        report.seconds = time.monotonic() - started
        dangling = reader.dangling_counts()
        self.wh.write(
            "load/store_commit", name=name, props=commit_props(target, counts, pending, dangling, report.seconds)
        )

    @staticmethod
    def _nothing_new(pending: dict[str, int], wm: Watermark, target: Watermark, stored: dict[str, Any]) -> bool:
        """True when the source holds only what the last complete load already read: the same latest
        update time and number of rows at it per node table, and no new event or link id. (Counting the
        rows at or after the old watermark is not enough: a row updated since moves past the watermark
        without changing that count.)"""
        return target == wm and pending["parent_contexts"] == int(stored.get("n_parent_contexts", -1))

    # -- passes ------------------------------------------------------------------------------
    def _nodes(
        self, table: str, query_name: str, batches: Iterator[list[Row]], pending: dict[str, int], report: LoadReport
    ) -> None:
        self.observer.begin(table, pending[table])
        done = 0
        for rows in batches:
            self.wh.write_rows(query_name, rows)
            done += len(rows)
            self.observer.advance(table, len(rows))
        report.rows[table] = done

    def _links(
        self,
        table: str,
        query_name: str,
        batches: Iterator[tuple[list[Row], int]],
        pending: dict[str, int],
        report: LoadReport,
    ) -> None:
        self.observer.begin(table, pending[table])
        done = dangling = 0
        for rows, bad in batches:
            if rows:
                self.wh.write_rows(query_name, rows)
            done += len(rows)
            dangling += bad
            self.observer.advance(table, len(rows) + bad)
        report.rows[table] = done
        if dangling:
            report.dangling[table] = dangling

    def _events(
        self,
        batches: Iterator[tuple[list[Row], list[Row], int]],
        prefix: str,
        pending: dict[str, int],
        report: LoadReport,
    ) -> None:
        self.observer.begin("events", pending["events"])
        done = dangling = 0
        for inputs, outputs, bad in batches:
            if inputs:
                self.wh.write_rows(prefix + "inputs", inputs)
            if outputs:
                self.wh.write_rows(prefix + "outputs", outputs)
            done += len(inputs) + len(outputs)
            dangling += bad
            self.observer.advance("events", len(inputs) + len(outputs) + bad)
        report.rows["events"] = done
        if dangling:
            report.dangling["events"] = dangling

    # -- cleanup -------------------------------------------------------------------------------
    def _vanished(self, reader: MetadataSource, name: str, guard: float, force: bool) -> dict[str, list[str]]:
        """Uids in the graph whose rows are gone from the source; refuses above the guard share.
        The graph's uids are streamed, only the vanished ones are kept."""
        present = set(reader.present_uids())
        vanished: dict[str, list[str]] = {"e": [], "a": [], "c": [], "ev": []}
        total = 0
        for row in self.wh.stream("load/store_uids", store=name):
            total += 1
            if row["uid"] not in present:
                vanished[row["kind"]].append(row["uid"])
        gone = sum(len(v) for v in vanished.values())
        if total and gone / total > guard and not force:
            raise SourceError(
                f"{reader.label}: --prune would delete {gone} of {total} elements of store {name!r} "
                f"({gone / total:.1%} > guard {guard:.0%}); add --force to prune anyway"
            )
        return vanished if gone else {}

    def _prune(self, vanished: dict[str, list[str]], report: LoadReport) -> None:
        """Delete the vanished elements, events first, in batches of at most ``batch_size`` uids."""
        lists = {
            "events": vanished["ev"],
            "executions": vanished["e"],
            "artifacts": vanished["a"],
            "contexts": vanished["c"],
        }
        for key, uids in lists.items():
            others: dict[str, Any] = {k: [] for k in lists if k != key}
            rows = self.wh.write_rows("load/prune", uids, key=key, batch=self.batch_size, **others)
            report.pruned += sum(int(r["deleted"]) for r in rows)


def derive_pipelines(warehouse: Warehouse, store: str, batch: int = DEFAULT_TX_ROWS) -> None:
    """Write the derived ``pipeline`` of the store's executions and artifacts (model.DERIVED)."""
    warehouse.run_batched("load/execution_pipelines", store=store, batch=batch)
    warehouse.run_batched("load/artifact_pipelines", store=store, batch=batch)


def incomplete_line(name: str, status: str | None, source: str | None) -> str:
    """The one line a command prints for a store it skips because its load never completed."""
    again = f"`mlprov load {source}`" if source else "`mlprov load` on its source"
    return (
        f"skipped store {name!r}: its load never completed (status {status!r}); "
        f"run {again} again to finish it (what was written is not written again)"
    )


def incomplete_stores(warehouse: Warehouse, store: str | None = None) -> list[str]:
    """One ``incomplete_line`` per loaded store (or only ``store``) that is not 'complete'."""
    return [
        incomplete_line(str(r["name"]), r["status"], r["source"])
        for r in warehouse.read("load/stores")
        if r["status"] != "complete" and (store is None or r["name"] == store)
    ]


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys: how fingerprints and load targets are kept and compared."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def begin_props(source: MetadataSource) -> dict[str, Any]:
    """The :Store node's properties from the start of a load: where from, and the store's identity."""
    return {
        "source": source.label,
        "kind": source.kind,
        "schema_version": source.schema_version,
        "fingerprint": dumps(source.fingerprint()),
    }


def commit_props(
    target: Watermark, counts: dict[str, Any], pending: dict[str, int], dangling: dict[str, int], seconds: float
) -> dict[str, Any]:
    """The :Store node's properties at the end of a load: watermarks, counts and load time."""
    return {
        **target.as_props(),
        **{f"n_{k}": int(v) for k, v in counts.items()},
        "n_parent_contexts": pending["parent_contexts"],
        "dangling_events": dangling["events"],
        "dangling_links": dangling["links"],
        "loaded_at": int(time.time() * 1000),
        "load_seconds": round(seconds, 3),
    }


def ensure_not_empty(source: MetadataSource) -> None:
    if source.is_empty():
        raise SourceError(f"{source.label}: MLMD store is empty (no executions, artifacts or contexts)")


def check_source(spec: str, *, verify: bool = True) -> None:
    """Raise SourceError unless ``spec`` is a readable, non-empty MLMD store (``verify``: see open_source)."""
    source = open_source(spec, store="check", operators=OperatorMap(), verify=verify)
    try:
        ensure_not_empty(source)
    finally:
        source.close()


def load_all(
    warehouse: Warehouse,
    specs: list[str],
    *,
    store: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    operators: OperatorMap | None = None,
    observer: LoadObserver | None = None,
    replace: bool = False,
    prune: bool = False,
    force: bool = False,
    prune_guard: float = DEFAULT_PRUNE_GUARD,
    on_report: Callable[[LoadReport], None] | None = None,
    workers: int = 1,
) -> list[LoadReport]:
    """Load several sources; a store name applies only when there is one source.

    ``workers`` > 1 loads that many stores at a time, each in its own sessions and still one
    transactional, resumable load with its own watermark; reports come in the order the loads end.
    """
    if store and len(specs) > 1:
        raise SourceError("--store-name needs exactly one source")
    if workers < 1:
        raise SourceError(f"--workers must be at least 1 (got {workers})")
    loader = Loader(warehouse, batch_size=batch_size, operators=operators, observer=observer)
    if len(specs) > 1:  # check every source before writing anything (one source checks itself)
        for spec in specs:
            check_source(spec, verify=replace or not loader.is_complete(store_name_for(spec)))
    options: dict[str, Any] = {"replace": replace, "prune": prune, "force": force, "prune_guard": prune_guard}
    reports: list[LoadReport] = []
    if workers == 1 or len(specs) == 1:
        for spec in specs:
            reports.append(loader.load(spec, store=store, **options))
            if on_report:
                on_report(reports[-1])
        return reports
    loader.ensure_schema()  # once: the workers' own IF NOT EXISTS runs then find it in place

    def one(spec: str) -> LoadReport:
        observer = _PerStore(loader.observer, store_name_for(spec))
        return Loader(warehouse, batch_size=batch_size, operators=loader.operators, observer=observer).load(
            spec, **options
        )

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlprov-load") as pool:
        pending = [pool.submit(one, spec) for spec in specs]
        try:
            for done in as_completed(pending):
                reports.append(done.result())
                if on_report:
                    on_report(reports[-1])
        except BaseException:
            for future in pending:
                future.cancel()  # stores not started stay unloaded; started ones finish or fail on their own
            raise
    return reports
