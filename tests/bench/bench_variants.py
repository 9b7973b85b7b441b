"""Prototype loader variants, measured against the shipped ``Loader`` on one corpus (full loads).

Run: ``python -m tests.bench.bench_variants [--elements N] [--batch B]``

* ``baseline``  — ``mlprov.loader.load.Loader`` as shipped.
* ``create``    — first load of a store: relationships with ``CREATE`` instead of ``MERGE``
  (``cypher/bench/create_*.cypher``); only valid when the store was never loaded.
* ``prefetch``  — the next batch is read from SQLite and shaped in a background thread while the
  current one is written (overlaps Python/SQLite with the Neo4j round trip).
* ``create+prefetch``.

Nothing here changes the shipped loader: the variants subclass it in this process.
"""

from __future__ import annotations

import argparse
import os
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any, TypeVar

from mlprov.loader.load import Loader, LoadReport

from mlprov.db import Warehouse
from mlprov.server import ManagedServer
from tests.bench import corpus as corpus_module
from tests.bench.bench_load import DEFAULT_HOME, Table, clear, graph_elements, log

T = TypeVar("T")
_DONE = object()

CREATE_QUERIES = {
    "load/parent_contexts": "bench/create_parent_contexts",
    "load/associations": "bench/create_associations",
    "load/attributions": "bench/create_attributions",
    "load/inputs": "bench/create_inputs",
    "load/outputs": "bench/create_outputs",
}


def prefetch(batches: Iterator[T]) -> Iterator[T]:
    """Yield ``batches`` while a thread produces the next one (a queue of one)."""
    q: queue.Queue[Any] = queue.Queue(maxsize=1)

    def produce() -> None:
        try:
            for b in batches:
                q.put(b)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)
            return
        q.put(_DONE)

    threading.Thread(target=produce, daemon=True).start()
    while True:
        item = q.get()
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


class _VariantWarehouse(Warehouse):
    """Routes the relationship upserts to the CREATE prototypes."""

    create = False

    def write(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        if self.create:
            name = CREATE_QUERIES.get(name, name)
        return super().write(name, **params)


class VariantLoader(Loader):  # type: ignore[misc]  # mypy sees the mapped package as Any
    """The shipped loader with the prefetching reader switched on."""

    use_prefetch = False

    def _nodes(self, table: str, query_name: str, batches: Iterator[Any], pending: Any, report: LoadReport) -> None:
        super()._nodes(table, query_name, prefetch(batches) if self.use_prefetch else batches, pending, report)

    def _links(self, table: str, query_name: str, batches: Iterator[Any], pending: Any, report: LoadReport) -> None:
        super()._links(table, query_name, prefetch(batches) if self.use_prefetch else batches, pending, report)

    def _events(self, batches: Iterator[Any], pending: Any, report: LoadReport) -> None:
        super()._events(prefetch(batches) if self.use_prefetch else batches, pending, report)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elements", type=int, default=250_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant (the best is kept)")
    args = parser.parse_args(argv)
    home = os.environ.setdefault("MLPROV_HOME", DEFAULT_HOME)
    corpus = corpus_module.build(args.elements)
    warm = corpus_module.build(copies=1)
    server = ManagedServer()
    _, started_now = server.start()
    log(f"Neo4j in {home}; corpus {corpus.elements:,} elements")
    variants = {
        "baseline": (False, False),
        "create": (True, False),
        "prefetch": (False, True),
        "create+prefetch": (True, True),
    }
    best: dict[str, float] = {}
    try:
        with _VariantWarehouse.connect() as wh:
            assert isinstance(wh, _VariantWarehouse)
            clear(wh)
            Loader(wh, batch_size=args.batch).load(str(warm.path), store="warmup")
            for _ in range(args.repeat):
                for name, (create, pre) in variants.items():
                    clear(wh)
                    wh.create = create
                    loader = VariantLoader(wh, batch_size=args.batch)
                    loader.use_prefetch = pre
                    t = time.perf_counter()
                    report = loader.load(str(corpus.path), store="variant")
                    secs = time.perf_counter() - t
                    nodes, rels = graph_elements(wh)
                    assert nodes - 1 + rels == corpus.elements == report.elements, (nodes, rels, report.elements)
                    best[name] = min(best.get(name, secs), secs)
                    log(f"{name}: {secs:.1f}s")
            clear(wh)
    finally:
        if started_now:
            server.stop()
    table = Table(["variant (full load, batch " + str(args.batch) + ")", "seconds", "elements/s", "vs baseline"])
    for name, secs in best.items():
        table.add(name, f"{secs:.1f}", f"{corpus.elements / secs:,.0f}", f"{best['baseline'] / secs:.2f}x")
    print(f"\nLoader variants — corpus {corpus.elements:,} elements ({corpus.copies} copies), best of {args.repeat}")
    print(table.render())


if __name__ == "__main__":
    main()
