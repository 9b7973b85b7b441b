"""Where the time of the graphlets / features / evaluate / predict / report phases goes.

``python -m tests.bench.profile_phases --phases graphlets,features,evaluate,predict,report`` runs each
phase in this process against the warehouse of ``MLPROV_HOME`` / ``NEO4J_*`` (a loaded corpus) and
prints, per phase: wall time, the client's CPU time (all threads), the time spent inside Neo4j round
trips (driver packing + network + server work; summed over parallel sessions, so it can exceed the wall
time) split by query with the number of round trips and the server's own share of it (the summary's
``result_available_after`` + ``result_consumed_after``: planning and running the statement, streaming
its rows), the rest (Python shaping, xgboost, matplotlib), and the top functions of a cProfile by own
time (the main thread's and every thread-pool task's profiles added up: the graphlet builder and the
frame work in pool threads). ``graphlets`` drops every graphlet
first, so it is a full build. ``--json PATH`` also writes the numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import neo4j

from mlprov.db import Row, Warehouse
from mlprov.queries import Query
from mlprov.settings import Connection


class _ProfiledWarehouse(Warehouse):
    """Records, by query name, the count of round trips, their wall time and the server's own time."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.calls: dict[str, list[float]] = {}  # name -> [round trips, seconds, server seconds]
        self._lock = threading.Lock()

    def _entry(self, name: str) -> list[float]:
        return self.calls.setdefault(name, [0.0, 0.0, 0.0])

    def _run(self, q: Query, params: Mapping[str, Any], access: str) -> list[Row]:
        t = time.perf_counter()
        try:
            return super()._run(q, params, access)
        finally:
            with self._lock:
                c = self._entry(q.name)
                c[0] += 1
                c[1] += time.perf_counter() - t

    def _observe(self, name: str, summary: neo4j.ResultSummary) -> None:
        server_ms = (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
        with self._lock:
            self._entry(name)[2] += server_ms / 1000.0


class _PoolProfiles:
    """While active, every task submitted to a ``ThreadPoolExecutor`` runs under a cProfile of its own; the
    profiles are collected, to be added to the main thread's."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self._submit = ThreadPoolExecutor.submit

    def __enter__(self) -> _PoolProfiles:
        outer = self
        submit = self._submit

        def profiled_submit(pool: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            def run() -> Any:
                prof = cProfile.Profile()
                prof.enable()
                try:
                    return fn(*args, **kwargs)
                finally:
                    prof.disable()
                    with outer._lock:
                        outer.profiles.append(prof)

            return submit(pool, run)

        ThreadPoolExecutor.submit = profiled_submit  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        ThreadPoolExecutor.submit = self._submit  # type: ignore[method-assign]


def _cpu() -> float:
    """CPU seconds of this process so far, every thread."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _drop_graphlets(wh: Warehouse) -> None:
    stores = wh.read("graphlets/stores", store=None)
    uids = [str(r["uid"]) for s in stores for r in wh.read("graphlets/existing", store=s["name"])]
    wh.write_rows("graphlets/delete", uids, key="uids", batch=1000)


def _phases(wh: Warehouse, out: Path) -> dict[str, Callable[[], Any]]:
    from mlprov.analysis.corpus import run_analytics
    from mlprov.analysis.report import write_report
    from mlprov.features.evaluation import evaluate
    from mlprov.features.frame import build_frame, write_next_similarity
    from mlprov.features.predictor import predict, split_by_pipeline, train_model
    from mlprov.graphlets.builder import build_graphlets

    def features() -> None:
        ff = build_frame(wh, use_cache=False)
        write_next_similarity(wh, ff.data)

    def predict_all() -> None:
        ff = build_frame(wh)
        train, _ = split_by_pipeline(ff.labelled, 0)
        model = train_model(ff, "input", train, seed=0)
        t = time.perf_counter()
        predict(wh, model, ff=ff)
        print(f"  predict alone: {time.perf_counter() - t:.2f} s (the training before it is not the phase)")

    return {
        "graphlets": lambda: build_graphlets(wh, force=True),
        "features": features,
        "evaluate": lambda: evaluate(build_frame(wh)),
        "predict": predict_all,
        "report": lambda: write_report(run_analytics(wh), out / "report"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--phases", default="graphlets,features,evaluate,predict,report")
    ap.add_argument("--out", type=Path, default=Path("/tmp/profile_phases"))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    with _ProfiledWarehouse.connect() as wh:
        assert isinstance(wh, _ProfiledWarehouse)
        phases = _phases(wh, args.out)
        for name in args.phases.split(","):
            if name == "graphlets":
                _drop_graphlets(wh)
            wh.calls = {}
            prof = cProfile.Profile()
            t = time.perf_counter()
            cpu = _cpu()
            with _PoolProfiles() as pools:
                prof.enable()
                phases[name]()
                prof.disable()
            wall = time.perf_counter() - t
            cpu = _cpu() - cpu
            in_db = sum(c[1] for c in wh.calls.values())
            server = sum(c[2] for c in wh.calls.values())
            trips = int(sum(c[0] for c in wh.calls.values()))
            print(
                f"{name}: {wall:.1f} s wall, client CPU {cpu:.1f} s, {in_db:.1f} s in {trips} Neo4j round trips "
                f"(server {server:.1f} s), {wall - in_db:.1f} s rest"
            )
            for q, (n, s, srv) in sorted(wh.calls.items(), key=lambda kv: -kv[1][1])[:12]:
                print(f"  {q:40s} {int(n):6d} trips {s:8.2f} s  server {srv:8.2f} s")
            buf = io.StringIO()
            stats = pstats.Stats(prof, stream=buf)
            for task in pools.profiles:
                stats.add(task)
            stats.sort_stats("tottime").print_stats(args.top)
            print("\n".join(buf.getvalue().splitlines()[6 : 6 + args.top + 3]))
            results[name] = {
                "wall": wall,
                "in_neo4j": in_db,
                "client_cpu": cpu,
                "server": server,
                "round_trips": trips,
                "queries": {q: {"trips": int(n), "seconds": s, "server": srv} for q, (n, s, srv) in wh.calls.items()},
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
