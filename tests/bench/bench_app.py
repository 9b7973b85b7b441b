"""App page latency: p50 / p95 per page on whatever warehouse is configured (the biggest corpus loaded).

Two measures per page, repeated ``--runs`` times with every cache off:

* ``data``: the page's data functions (``mlprov.app.data``) for a typical selection — the queries a
  page view runs, end to end through the driver;
* ``apptest``: a full Streamlit script run of the page (``AppTest``), data and rendering included.

The selection: the pipeline with the most executions and its latest graphlet (the worst case for
the Pipelines and Graphlet pages). Goal: p95 ≤ 1 s per page.

    MLPROV_HOME=/path/with/bench/corpus python -m tests.bench app -- --runs 20
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlprov.app import common, data
from mlprov.db import Warehouse

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(0.95 * (len(s) - 1))))]


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm the driver, the server's plan cache and the imports
    out = []
    for _ in range(runs):
        data.clear_cache()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench_app")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--no-apptest", action="store_true", help="only time the data functions")
    args = ap.parse_args(argv)

    with Warehouse.connect() as wh:
        r0 = data.Reader(wh, ttl_s=0)
        totals = r0.rows("app/overview_totals", store=None)[0]
        top = wh.read_text(
            "MATCH (g:Graphlet) WHERE g.pipeline IS NOT NULL "
            "RETURN g.store AS store, g.pipeline AS pipeline, count(*) AS n ORDER BY n DESC LIMIT 1",
            {},
        )[1]
        if not top:
            print("no graphlets in the warehouse: load a corpus and run `mlprov graphlets` first")
            return
        store, pipeline = str(top[0]["store"]), str(top[0]["pipeline"])
        ext = data.pipeline_extent(r0, store, pipeline)
        gs = data.pipeline_graphlets(r0, store, pipeline)
        uid = str(gs["uid"].iloc[-1])
        print(
            f"warehouse {wh.connection.uri}: {totals['stores']} store(s), {totals['pipelines']:,} pipelines, "
            f"{totals['executions']:,} executions, {totals['artifacts']:,} artifacts, {totals['graphlets']:,} graphlets"
        )
        print(f"selection: pipeline {pipeline} ({ext.executions:,} executions, {ext.graphlets:,} graphlets), {uid}")

        def overview() -> None:
            data.overview(data.Reader(wh, ttl_s=0), None)

        def pipelines() -> None:
            r = data.Reader(wh, ttl_s=0)
            data.filter_pipelines(data.pipelines(r, None), "")
            data.pipeline_extent(r, store, pipeline)
            g = data.pipeline_graphlets(r, store, pipeline)
            data.pipeline_activity(r, store, pipeline)
            data.pipeline_executions(r, store, pipeline, 1, data.DEFAULT_PAGE_SIZE, g)

        def graphlet() -> None:
            r = data.Reader(wh, ttl_s=0)
            data.pipelines_with_graphlets(r, None)
            data.pipeline_graphlets(r, store, pipeline)
            data.graphlet(r, uid)
            data.graphlet_members(r, uid)
            data.graphlet_edges(r, uid)
            data.graphlet_neighbours(r, uid)

        def predictor() -> None:
            data.freshness_waste(data.predictions(data.Reader(wh, ttl_s=0), None))

        def console() -> None:
            data.console_run(
                wh, "MATCH (g:Graphlet) RETURN g.pipeline AS p, count(*) AS n ORDER BY n DESC", {}, 1000, 30
            )

        rows: list[tuple[str, str, list[float]]] = []
        for name, fn in (
            ("overview", overview),
            ("pipelines", pipelines),
            ("graphlet", graphlet),
            ("predictor", predictor),
            ("console", console),
        ):
            rows.append((name, "data", timed(fn, args.runs)))

        if not args.no_apptest:
            from streamlit.testing.v1 import AppTest

            def page_run(page: str, **query: str) -> Callable[[], None]:
                def run() -> None:
                    common.forget_warehouse()
                    at = AppTest.from_file(MAIN, default_timeout=120)
                    at.query_params.update(query)
                    at.switch_page(page)
                    at.run()
                    assert not at.exception, [e.value for e in at.exception]

                return run

            for name, fn in (
                ("overview", page_run("overview.py")),
                ("pipelines", page_run("pipelines.py", store=store, pipeline=pipeline)),
                ("graphlet", page_run("graphlet.py", uid=uid)),
                ("predictor", page_run("predictor.py")),
                ("console", page_run("console.py")),
            ):
                rows.append((name, "apptest", timed(fn, args.runs)))

    print(f"\n{'page':<10} {'measure':<8} {'runs':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7}  goal p95 ≤ 1 s")
    for name, measure, xs in rows:
        ok = "ok" if p95(xs) <= 1.0 else "MISSED"
        print(
            f"{name:<10} {measure:<8} {len(xs):>4} {statistics.median(xs):>7.3f} {p95(xs):>7.3f} {max(xs):>7.3f}  {ok}"
        )


if __name__ == "__main__":
    main()
