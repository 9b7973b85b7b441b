"""Benchmark: graphlet extraction time per trace node, from ~1k to ~100k nodes.

Each trace is one synthetic rolling-window pipeline written as a real MLMD store by
``tests.mlmd_builder`` (ml-metadata): per daily run an ExampleGen span, StatisticsGen,
ExampleValidator, a Transform over the last ``WINDOW`` spans (heavy sharing: every span feeds
``WINDOW`` windows; one Schema feeds every Transform and Trainer), a Trainer (warm-starting from the
previous model every 5th run), an Evaluator and a Pusher; every 10th run also has CACHED
re-publications. The store is loaded, then ``build_graphlets`` is timed (a fresh build).

Run against your own server::

    MLPROV_HOME=/tmp/graphlets_home .venv/bin/mlprov neo4j start
    MLPROV_HOME=/tmp/graphlets_home .venv/bin/python -m tests.bench.bench_graphlets [--sizes 1000,6900,...]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from mlprov.db import Warehouse
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from tests.mlmd_builder import MlmdBuilder

WINDOW = 7
NODES_PER_RUN = 17  # executions + artifacts of one run (see rolling_pipeline)
DEFAULT_SIZES = (1_000, 3_000, 6_900, 20_000, 50_000, 100_000)


def rolling_pipeline(nodes: int, seed: int = 7) -> MlmdBuilder:
    """A rolling-window pipeline with about ``nodes`` executions + artifacts."""
    rnd = random.Random(seed)
    b = MlmdBuilder(pipeline="rolling")
    runs = max(2, nodes // NODES_PER_RUN)
    _, (stats0,) = b.step("CsvExampleGen", 0, 1, outputs=["ExampleStatistics"], span=0)
    _, (schema,) = b.step("SchemaGen", 1, 2, inputs=[stats0], outputs=["Schema"])
    spans: list[int] = []
    model: int | None = None
    for i in range(runs):
        t = 100.0 * (i + 1)
        run = f"r{i}"
        _, (ex,) = b.step("CsvExampleGen", t, t + 5, outputs=["Examples"], span=i, run=run)
        spans.append(ex)
        _, (st,) = b.step("StatisticsGen", t + 6, t + 8, inputs=[ex], outputs=["ExampleStatistics"], span=i, run=run)
        b.step("ExampleValidator", t + 9, t + 10, inputs=[st, schema], outputs=["ExampleAnomalies"], run=run)
        window = spans[-WINDOW:]
        _, (tex, tg) = b.step(
            "Transform",
            t + 11,
            t + 20,
            inputs=[*window, schema],
            outputs=["Examples", "TransformGraph"],
            span=i,
            run=run,
        )
        warm = [model] if model is not None and i % 5 == 0 else []
        _, (m,) = b.step("Trainer", t + 21, t + 40, inputs=[tex, tg, schema, *warm], outputs=["Model"], run=run)
        _, (bl,) = b.step("Evaluator", t + 41, t + 45, inputs=[m, ex], outputs=["ModelBlessing"], run=run)
        b.step(
            "Pusher",
            t + 46,
            t + 47,
            inputs=[m, bl],
            outputs=["PushedModel"],
            run=run,
            out_props={"pushed": int(rnd.random() < 0.2)},
        )
        if i % 10 == 9:  # a cached rerun re-publishing this run's transform output and model
            x = b.execution("Transform", t + 50, t + 50.1, state="CACHED", run=run)
            b.read(ex, x)
            b.write_event(x, tex)
            y = b.execution("Trainer", t + 51, t + 51.1, state="CACHED", run=run)
            b.read(tex, y)
            b.write_event(y, m)
        model = m
    return b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="trace sizes in nodes")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2, help="warm builds per size (best is reported)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with Warehouse.connect() as wh, tempfile.TemporaryDirectory() as tmp:
        # warm-up: compile every query once so the first size is not charged for it
        wh.run_batched("admin/clear_graph")
        Loader(wh).load(str(rolling_pipeline(300).write(Path(tmp) / "warm.sqlite")), store="warm")
        build_graphlets(wh, batch_size=args.batch_size)
        for size in sizes:
            wh.run_batched("admin/clear_graph")
            b = rolling_pipeline(size)
            path = b.write(Path(tmp) / f"bench_{size}.sqlite")
            t1 = time.monotonic()
            Loader(wh).load(str(path), store="bench")
            t2 = time.monotonic()
            report = build_graphlets(wh, store="bench", batch_size=args.batch_size)
            t3 = time.monotonic()
            nodes = len(b.executions) + len(b.artifacts)
            # warm: the same fresh build again (graphlets deleted) once the server has planned the
            # queries for this graph's statistics; best of --repeat
            warm = []
            for _ in range(args.repeat):
                uids = [r["uid"] for r in wh.read("graphlets/existing", store="bench")]
                for i in range(0, len(uids), 1000):
                    wh.write("graphlets/delete", uids=uids[i : i + 1000])
                again = build_graphlets(wh, store="bench", batch_size=args.batch_size, force=True)
                assert again.created == report.created
                warm.append(again.seconds)
            rerun = build_graphlets(wh, store="bench", batch_size=args.batch_size, force=True)
            assert rerun.created == rerun.updated == 0
            rows.append((nodes, len(b.events), report.graphlets, t3 - t2, min(warm), rerun.seconds, t2 - t1))
            print(
                f"  {nodes} nodes: load {t2 - t1:.1f}s, graphlets cold {t3 - t2:.2f}s warm {min(warm):.2f}s", flush=True
            )
    print()
    print(
        f"{'nodes':>8} {'events':>8} {'graphlets':>9} {'cold s':>7} {'warm s':>7} {'µs/node':>8} "
        f"{'no-op rerun s':>13} {'load s':>7}"
    )
    per_node = []
    for nodes, events, graphlets, cold, secs, rerun_s, load_s in rows:
        us = secs / nodes * 1e6
        per_node.append(us)
        print(
            f"{nodes:>8} {events:>8} {graphlets:>9} {cold:>7.2f} {secs:>7.2f} {us:>8.1f} {rerun_s:>13.2f} "
            f"{load_s:>7.1f}"
        )
    print(f"\nwarm per-node time, largest / smallest: {max(per_node) / min(per_node):.2f}x (target ≤ 2x)")


if __name__ == "__main__":
    main()
