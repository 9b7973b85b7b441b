"""Load benchmark: our loader vs a naive row-at-a-time loader vs ``neo4j-admin database import``.

Run: ``python -m tests.bench.bench_load [--elements N] [--batch-sizes 1000,5000,20000]``
  or ``python -m tests.bench.bench_load --store STORE.sqlite [--naive-elements N | --sample-store S.sqlite]``

By default on one replicated corpus (``tests/bench/corpus.py``); with ``--store`` on that MLMD SQLite
store as it is (e.g. ``mlprov generate DIR --preset bench --seed 0`` writes ``DIR/stores/mlmd-000.sqlite``).
Side by side in one run:

(a) our ``Loader`` full load into an empty graph, graph elements per second;
(b) a no-op reload (seconds, and its share of the full load; goal <= 5%);
(c) a reload after 1% of the executions changed (newer last-update time and a property);
(d) the naive loader (one auto-commit MERGE per element) on a sample of ~20k elements, and our
    loader on the same sample. The sample is the same kind of data as the corpus: fixture copies
    for the replicated corpus; for ``--store``, the store as it was when its first nodes by creation
    time had been written (``corpus.prefix_sample``: same types, property shapes and writer, only
    less history; a separately generated small store would be other pipelines, and one ``bench``
    pipeline alone can outgrow the sample), or the store given as ``--sample-store``;
(e) ``neo4j-admin database import full`` run by hand on the CSV files ``mlprov load --bulk`` writes
    for the same corpus (CSV writing timed apart from the import), then the same constraints/indexes
    created on a server started on the imported database (the Community record format cannot build
    them during the import);
(f) ``mlprov load --bulk`` through the CLI, end to end (checks, CSV, import, restart, indexes,
    bookkeeping) into the emptied warehouse, against (a) and (e), with the goals of issue 15;
plus a batch-size sweep of (a), peak RSS of every loader process and of the Neo4j server.

Uses the managed server of ``MLPROV_HOME`` (default ``/tmp/mlprov_bench_home``), started if needed
and stopped at the end if this run started it. The graph of that server is wiped. Derived files
(changed copy, sample, CSV, import) go to ``MLPROV_BENCH_CACHE`` (default ``/tmp/mlprov_bench``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlprov.db import Warehouse
from mlprov.loader.load import DEFAULT_BATCH
from mlprov.server import ManagedServer
from tests.bench import corpus as corpus_module
from tests.bench.import_csv import CsvSet, run_import
from tests.bench.phases import Result, run_phase

DEFAULT_HOME = "/tmp/mlprov_bench_home"
GOAL_NAIVE = 50.0
GOAL_IMPORT = 1 / 3
GOAL_NOOP = 0.05


@dataclass
class Table:
    """A plain-text table."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def render(self) -> str:
        widths = [max(len(r[i]) for r in [self.headers, *self.rows]) for i in range(len(self.headers))]
        line = "  ".join("-" * w for w in widths)
        out = ["  ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True)), line]
        for r in self.rows:
            out.append(
                "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            )
        return "\n".join(out)


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB" if kib else "-"


def _rate(elements: int, seconds: float) -> float:
    return elements / seconds if seconds > 0 else float("nan")


def neo4j_peak_kib(server: ManagedServer) -> tuple[int, int]:
    """(VmHWM, VmRSS) of the running Neo4j server, KiB, from /proc."""
    pid = server.status().pid
    if pid is None:
        return 0, 0
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])
    return values.get("VmHWM", 0), values.get("VmRSS", 0)


def clear(wh: Warehouse) -> float:
    t = time.perf_counter()
    wh.run_batched("admin/clear_graph")
    return time.perf_counter() - t


def graph_elements(wh: Warehouse) -> tuple[int, int]:
    row = wh.read("bench/graph_counts")[0]
    return int(row["nodes"]), int(row["relationships"])


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _import_with_indexes(csv: CsvSet, heap: str, pagecache: str, work: Path) -> dict[str, Any]:
    """Import into a fresh managed home, then start a server on it and build the product's indexes."""
    home = work / "import_home"
    imported = run_import(csv, home / "neo4j" / "import_tmp", heap=heap, pagecache=pagecache, with_schema=False)
    out: dict[str, Any] = {"import": imported}
    # move the imported database into a managed server home and time the index build there
    server = ManagedServer(home)
    src = home / "neo4j" / "import_tmp" / "data"
    if server.data_dir.exists():
        shutil.rmtree(server.data_dir)
    shutil.move(str(src), str(server.data_dir))
    previous = os.environ.get("MLPROV_HOME")
    os.environ["MLPROV_HOME"] = str(home)
    try:
        t = time.perf_counter()
        server.start()
        out["server_start_seconds"] = time.perf_counter() - t
        with Warehouse.connect() as wh:
            t = time.perf_counter()
            wh.apply_schema("schema/constraints")
            wh.read_text("CALL db.awaitIndexes(3600)", timeout_s=3600)
            out["index_seconds"] = time.perf_counter() - t
            out["graph"] = graph_elements(wh)
        out["neo4j_peak_kib"] = neo4j_peak_kib(server)[0]
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("MLPROV_HOME", None)
        else:
            os.environ["MLPROV_HOME"] = previous
    return out


def _bulk_cli(server: ManagedServer, store: Path) -> dict[str, Any]:
    """``mlprov load --bulk STORE --store-name bench`` end to end into the emptied warehouse: wall time,
    the graph it made, and the CLI's own account of its phases and of the CSV writer's peak RSS (the
    CLI process before it starts the importer)."""
    _, started_now = server.start()
    try:
        with Warehouse.connect() as wh:
            clear(wh)
        exe = Path(sys.executable).with_name("mlprov")
        t = time.perf_counter()
        proc = subprocess.Popen(
            [str(exe), "load", "--bulk", str(store), "--store-name", "bench"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, COLUMNS="200"),
        )
        stdout, stderr = proc.communicate()
        seconds = time.perf_counter() - t
        if proc.returncode != 0:
            raise RuntimeError(f"mlprov load --bulk failed: {stderr[-2000:]}")
        with Warehouse.connect() as wh:
            nodes, rels = graph_elements(wh)
        writer = re.search(r"peak RSS ([\d,]+) MiB", stderr)
        phases = [
            ln.strip()
            for ln in stderr.splitlines()
            if ln.startswith("CSV files:") or re.search(r"\d+\.\ds\)?$", ln.strip())
        ]
        return {
            "seconds": seconds,
            "graph": [nodes - 1, rels],  # minus the :Store node
            "csv_peak_rss_mib": float(writer.group(1).replace(",", "")) if writer else float("nan"),
            "phases": phases,
            "stdout_tail": stdout.strip().splitlines()[-1:] if stdout.strip() else [],
        }
    finally:
        if started_now:
            server.stop()


def print_bulk(results: dict[str, Result], imp: dict[str, Any] | None, bulk: dict[str, Any]) -> None:
    """(f) against the transactional full load (a) and the raw import tool (e), with the goals."""
    full = results["full"]
    elements = int(bulk["graph"][0]) + int(bulk["graph"][1])
    print()
    t = Table(["bulk first load", "elements", "seconds", "elements/s", "vs (a)"])
    full_rate = _rate(full["elements"], full["seconds"])
    bulk_rate = _rate(elements, bulk["seconds"])
    t.add("(a) transactional full load", f"{full['elements']:,}", f"{full['seconds']:.1f}", f"{full_rate:,.0f}", "1.00")
    t.add(
        "(f) mlprov load --bulk, CLI end to end",
        f"{elements:,}",
        f"{bulk['seconds']:.1f}",
        f"{bulk_rate:,.0f}",
        f"{bulk_rate / full_rate:.2f}",
    )
    raw_s = None
    if imp is not None:
        raw_s = results["csv"]["seconds"] + imp["import"].seconds + imp["index_seconds"]
        raw_rate = _rate(imp["import"].elements, raw_s)
        t.add(
            "(e) raw tool: CSV + import + indexes",
            f"{imp['import'].elements:,}",
            f"{raw_s:.1f}",
            f"{raw_rate:,.0f}",
            f"{raw_rate / full_rate:.2f}",
        )
    print(t.render())
    for line in bulk["phases"]:
        print("   ", line)
    same = bulk["graph"] == full.get("graph")
    print(
        f"graph after (f): {bulk['graph'][0]:,} nodes + {bulk['graph'][1]:,} relationships "
        f"({'same counts as' if same else 'DIFFERENT from'} (a))"
    )
    g = Table(["goal", "measured", "target", "met"])
    g.add("bulk / transactional throughput", f"{bulk_rate / full_rate:.2f}x", ">= 5x", bulk_rate / full_rate >= 5)
    if raw_s is not None:
        share = bulk_rate / _rate(imp["import"].elements, raw_s)  # type: ignore[index]
        g.add("bulk / raw import tool throughput", f"{share:.2f}", ">= 0.70", share >= 0.7)
    g.add(
        "CSV writer peak RSS", f"{bulk['csv_peak_rss_mib']:,.0f} MiB", "<= 1024 MiB", bulk["csv_peak_rss_mib"] <= 1024
    )
    for key, label in (("changed", "1%-changed reload / full load"), ("noop", "no-op reload / full load")):
        share = results[key]["seconds"] / full["seconds"]
        g.add(label, f"{share:.2%}", "<= 5%", share <= 0.05)
    print(g.render())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elements", type=int, default=1_000_000, help="corpus size in graph elements (>=)")
    parser.add_argument("--store", type=Path, help="run on this MLMD SQLite store instead (--elements unused)")
    parser.add_argument(
        "--sample-store", type=Path, help="with --store: the naive loader's sample (default: a prefix of --store)"
    )
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="batch size of the main run (loader default)")
    parser.add_argument("--batch-sizes", default="5000,20000,50000", help="batch sizes to sweep ('' to skip)")
    parser.add_argument("--naive-elements", type=int, default=20_000, help="naive loader sample size (>=)")
    parser.add_argument("--skip-import", action="store_true", help="skip the neo4j-admin import part")
    parser.add_argument("--skip-bulk", action="store_true", help="skip the `mlprov load --bulk` part")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the main full load")
    parser.add_argument("--keep-server", action="store_true", help="leave the Neo4j server running")
    args = parser.parse_args(argv)
    if args.sample_store is not None and args.store is None:
        parser.error("--sample-store needs --store")
    for given in (args.store, args.sample_store):
        if given is not None and not given.is_file():
            parser.error(f"no such store: {given}")

    home = Path(os.environ.setdefault("MLPROV_HOME", DEFAULT_HOME))
    heap = os.environ.setdefault("MLPROV_NEO4J_HEAP", "2g")
    pagecache = os.environ.setdefault("MLPROV_NEO4J_PAGECACHE", "2g")
    work = corpus_module.CACHE
    bench_started = time.perf_counter()

    t = time.perf_counter()
    corpus = corpus_module.build(args.elements) if args.store is None else corpus_module.of_store(args.store)
    log(f"corpus {corpus.path.name}: {corpus.elements:,} elements ({time.perf_counter() - t:.1f}s)")
    changed_path, touched = corpus_module.changed_copy(corpus)
    if args.store is None:
        sample = corpus_module.build(copies=corpus_module.copies_for(args.naive_elements))
        warm = corpus_module.build(copies=1)
    else:
        if args.sample_store is None:
            sample = corpus_module.prefix_sample(corpus, args.naive_elements)
        else:
            sample = corpus_module.of_store(args.sample_store)
        warm = sample  # warm up on the same kind of data as the corpus
        log(f"sample for (d): {sample.label}: {sample.elements:,} elements")

    server = ManagedServer(home)
    _, started_now = server.start()
    log(f"Neo4j in {server.home} ({'started' if started_now else 'already running'}), heap {heap}, pc {pagecache}")
    results: dict[str, Result] = {}
    neo4j_hwm: dict[str, int] = {}
    clears: list[float] = []
    try:
        with Warehouse.connect() as wh:
            clear(wh)
            run_phase("ours", path=warm.path, store="warmup", batch=args.batch)  # JIT, plan cache, schema
            clears.append(clear(wh))

            log(f"(a) full load, batch {args.batch}")
            results["full"] = run_phase("ours", path=corpus.path, store="bench", batch=args.batch, profile=args.profile)
            neo4j_hwm["full"] = neo4j_peak_kib(server)[0]
            nodes, rels = graph_elements(wh)
            results["full"]["graph"] = [nodes - 1, rels]  # minus the :Store node
            log(f"(b) no-op reload; (c) reload with {touched:,} changed executions")
            results["noop"] = run_phase("ours", path=corpus.path, store="bench", batch=args.batch)
            results["changed"] = run_phase("ours", path=changed_path, store="bench", batch=args.batch)
            neo4j_hwm["reloads"] = neo4j_peak_kib(server)[0]

            sweep: dict[int, Result] = {args.batch: results["full"]}
            for b in [int(x) for x in args.batch_sizes.split(",") if x.strip()]:
                if b in sweep:
                    continue
                clears.append(clear(wh))
                log(f"batch-size sweep: {b}")
                sweep[b] = run_phase("ours", path=corpus.path, store="bench", batch=b)

            clears.append(clear(wh))
            log(f"(d) naive loader on a {sample.elements:,}-element sample")
            results["naive"] = run_phase("naive", path=sample.path, store="naive")
            neo4j_hwm["naive"] = neo4j_peak_kib(server)[0]
            clears.append(clear(wh))
            results["ours_sample"] = run_phase("ours", path=sample.path, store="sample", batch=args.batch)
            clears.append(clear(wh))
    finally:
        if started_now and not args.keep_server:
            server.stop()

    imp: dict[str, Any] | None = None
    if not args.skip_import:
        log("(e) CSV + neo4j-admin database import full")
        results["csv"] = run_phase("csv", path=corpus.path, out=work / "import_csv", store="bench")
        csv = CsvSet(
            nodes=[(k, Path(v)) for k, v in results["csv"]["nodes"]],
            relationships=[(k, Path(v)) for k, v in results["csv"]["relationships"]],
            multiline=[Path(p) for p in results["csv"]["multiline"]],
        )
        imp = _import_with_indexes(csv, heap, pagecache, work)
        shutil.rmtree(work / "import_csv", ignore_errors=True)
    bulk: dict[str, Any] | None = None
    if not args.skip_bulk:
        log("(f) mlprov load --bulk through the CLI, into the emptied warehouse")
        bulk = _bulk_cli(server, corpus.path)
        log(f"(f) {bulk['seconds']:.1f}s, graph {bulk['graph']}")

    print_report(args, corpus, sample, touched, results, sweep, imp, neo4j_hwm, clears, heap, pagecache)
    if bulk is not None:
        print_bulk(results, imp, bulk)
    log(f"benchmark took {time.perf_counter() - bench_started:.0f}s")


def print_report(
    args: argparse.Namespace,
    corpus: corpus_module.Corpus,
    sample: corpus_module.Corpus,
    touched: int,
    results: dict[str, Result],
    sweep: dict[int, Result],
    imp: dict[str, Any] | None,
    neo4j_hwm: dict[str, int],
    clears: list[float],
    heap: str,
    pagecache: str,
) -> None:
    full, noop, changed, naive, ours_s = (results[k] for k in ("full", "noop", "changed", "naive", "ours_sample"))
    full_rate = _rate(full["elements"], full["seconds"])
    naive_rate = _rate(naive["elements"], naive["seconds"])
    ours_s_rate = _rate(ours_s["elements"], ours_s["seconds"])
    print()
    print(
        f"Load benchmark — corpus: {corpus.label} = {corpus.nodes:,} nodes + "
        f"{corpus.relationships:,} relationships = {corpus.elements:,} elements; {os.cpu_count()} CPUs; "
        f"Neo4j 5.26 heap {heap}, page cache {pagecache}"
    )
    graph = full.get("graph", [0, 0])
    print(
        f"graph after (a): {graph[0]:,} nodes + {graph[1]:,} relationships "
        f"({'matches' if graph[0] + graph[1] == corpus.elements else 'DOES NOT match'} the SQL count)"
    )
    if not sample.copies:
        print(f"sample for (d): {sample.label} = {sample.elements:,} elements")
    t = Table(["run", "elements", "seconds", "elements/s", "vs (a)", "peak RSS loader"])
    t.add(
        "(a) ours, full load, batch " + str(args.batch),
        f"{full['elements']:,}",
        f"{full['seconds']:.1f}",
        f"{full_rate:,.0f}",
        "1.00",
        _mib(full["peak_rss_kib"]),
    )
    t.add(
        "(b) ours, no-op reload",
        f"{noop['elements']:,}",
        f"{noop['seconds']:.2f}",
        "-",
        f"{noop['seconds'] / full['seconds']:.2%} of (a)",
        _mib(noop["peak_rss_kib"]),
    )
    t.add(
        f"(c) ours, reload, {touched:,} executions changed (1%)",
        f"{changed['elements']:,}",
        f"{changed['seconds']:.2f}",
        f"{_rate(changed['elements'], changed['seconds']):,.0f}",
        f"{changed['seconds'] / full['seconds']:.2%} of (a)",
        _mib(changed["peak_rss_kib"]),
    )
    t.add(
        f"(d) naive row-at-a-time, SAMPLE of {f'{sample.copies} copies' if sample.copies else 'named above'}",
        f"{naive['elements']:,}",
        f"{naive['seconds']:.1f}",
        f"{naive_rate:,.0f}",
        f"{naive_rate / full_rate:.3f}",
        _mib(naive["peak_rss_kib"]),
    )
    t.add(
        "    ours on the same sample",
        f"{ours_s['elements']:,}",
        f"{ours_s['seconds']:.2f}",
        f"{ours_s_rate:,.0f}",
        f"{ours_s_rate / full_rate:.2f}",
        _mib(ours_s["peak_rss_kib"]),
    )
    if imp is not None:
        csv, im = results["csv"], imp["import"]
        total = csv["seconds"] + im.seconds
        t.add(
            "(e) CSV writing (Python, same reader)",
            f"{csv['elements']:,}",
            f"{csv['seconds']:.1f}",
            f"{_rate(csv['elements'], csv['seconds']):,.0f}",
            "-",
            _mib(csv["peak_rss_kib"]),
        )
        t.add(
            "    neo4j-admin import full (JVM incl.)",
            f"{im.elements:,}",
            f"{im.seconds:.1f}",
            f"{_rate(im.elements, im.seconds):,.0f}",
            f"{_rate(im.elements, im.seconds) / full_rate:.2f}",
            _mib(im.peak_rss_kib) + " (import JVM)",
        )
        t.add("    + constraints/indexes on the imported db", "-", f"{imp['index_seconds']:.1f}", "-", "-", "-")
        idx_total = im.seconds + imp["index_seconds"]
        t.add(
            "    import + indexes",
            f"{im.elements:,}",
            f"{idx_total:.1f}",
            f"{_rate(im.elements, idx_total):,.0f}",
            f"{_rate(im.elements, idx_total) / full_rate:.2f}",
            "-",
        )
        t.add(
            "    CSV + import + indexes",
            f"{im.elements:,}",
            f"{total + imp['index_seconds']:.1f}",
            f"{_rate(im.elements, total + imp['index_seconds']):,.0f}",
            f"{_rate(im.elements, total + imp['index_seconds']) / full_rate:.2f}",
            "-",
        )
    print(t.render())

    print()
    r = Table(["ratio", "measured", "goal", "met"])
    same_sample = ours_s_rate / naive_rate
    full_vs_naive = full_rate / naive_rate
    r.add("ours / naive (same sample)", f"{same_sample:,.1f}x", f">= {GOAL_NAIVE:.0f}x", same_sample >= GOAL_NAIVE)
    r.add(
        "ours (a, full corpus) / naive (sample)",
        f"{full_vs_naive:,.1f}x",
        f">= {GOAL_NAIVE:.0f}x",
        full_vs_naive >= GOAL_NAIVE,
    )
    r.add(
        "no-op reload / full load",
        f"{noop['seconds'] / full['seconds']:.2%}",
        f"<= {GOAL_NOOP:.0%}",
        noop["seconds"] / full["seconds"] <= GOAL_NOOP,
    )
    if imp is not None:
        im = imp["import"]
        for label, secs in (
            ("ours / import (import only)", im.seconds),
            ("ours / import (import + indexes)", im.seconds + imp["index_seconds"]),
            ("ours / import (CSV + import + indexes)", results["csv"]["seconds"] + im.seconds + imp["index_seconds"]),
        ):
            ratio = full_rate / _rate(im.elements, secs)
            r.add(label, f"{ratio:.2f}", f">= {GOAL_IMPORT:.2f}", ratio >= GOAL_IMPORT)
    print(r.render())

    print()
    s = Table(["batch size", "seconds", "elements/s", "peak RSS loader"])
    best = max(sweep, key=lambda b: _rate(sweep[b]["elements"], sweep[b]["seconds"]))
    for b in sorted(sweep):
        res = sweep[b]
        mark = "  <- best" if b == best else ""
        s.add(
            f"{b:,}",
            f"{res['seconds']:.1f}",
            f"{_rate(res['elements'], res['seconds']):,.0f}{mark}",
            _mib(res["peak_rss_kib"]),
        )
    print(s.render())

    print()
    split = full["split"]
    write_s = split.get("neo4j_write", 0.0)
    read_s = split.get("sqlite_read", 0.0)
    other = full["seconds"] - write_s - read_s
    p = Table(["where the full load's time goes", "seconds", "share"])
    p.add("Neo4j writes (driver pack + Bolt + server + commit)", f"{write_s:.1f}", f"{write_s / full['seconds']:.0%}")
    p.add("SQLite reads (execute + fetch)", f"{read_s:.1f}", f"{read_s / full['seconds']:.0%}")
    p.add("Python shaping + bookkeeping (rest)", f"{other:.1f}", f"{other / full['seconds']:.0%}")
    print(p.render())
    q = Table(["pass", "seconds", "rows", "rows/s"])
    for name, secs in full["passes"].items():
        rows = int(full["rows"].get(name, 0))
        q.add(name, f"{secs:.1f}", f"{rows:,}", f"{_rate(rows, secs):,.0f}" if rows else "-")
    print(q.render())

    print()
    m = Table(["memory", "peak"])
    for k, v in neo4j_hwm.items():
        m.add(f"Neo4j server VmHWM after {k}", _mib(v))
    if imp is not None:
        m.add("Neo4j server on the imported db, VmHWM after index build", _mib(imp["neo4j_peak_kib"]))
    print(m.render())
    naive_split = naive["split"].get("neo4j_write", 0.0)
    print(
        f"\nnaive loader: {naive_split / naive['seconds']:.0%} of its time in Neo4j round trips "
        f"({naive['elements'] / naive_split:,.0f} auto-commit statements/s); "
        f"graph wipes between runs took {', '.join(f'{c:.0f}s' for c in clears)}"
    )
    if "profile" in full:
        print("\ncProfile of the full load (tottime):\n" + full["profile"])
    if imp is not None:
        print(
            f"import tool says: {imp['import'].output_tail.splitlines()[0].strip()} ... "
            f"graph on the imported db: {imp['graph'][0]:,} nodes + {imp['graph'][1]:,} relationships"
        )


if __name__ == "__main__":
    main()
