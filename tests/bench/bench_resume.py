"""A load killed in its last step, then run again: how long the rerun takes beside a whole load.

``python -m tests.bench resume -- --store PATH [--runs N] [--no-whole]``: on the configured Neo4j
(its graph is wiped!), for each run: a clean `mlprov load PATH` (timed); then the graph is wiped, the
load is started again and killed (SIGKILL) as soon as the last store's :Store node records its last
table step (``attributions``), i.e. during the post-load steps; then `mlprov load PATH` again (timed).
PATH is one store or a corpus directory of stores (one `mlprov load` of all of them). The ratio
rerun / whole load is printed per run, with the loader's peak RSS and Neo4j's VmHWM. With
``--no-whole`` (study-sized corpora) the clean load is skipped and the killed load's time until the
kill stands for the whole load (a lower bound of it).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mlprov.db import Warehouse
from mlprov.loader.load import store_name_for
from mlprov.loader.sources import expand_sources
from mlprov.server import ManagedServer
from tests.bench.bench_load import neo4j_peak_kib
from tests.bench.phases import wait_measured

LAST_TABLE = "attributions"


def _cli(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("mlprov")), *args]


def _timed_load(store: Path) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one `mlprov load`."""
    started = time.monotonic()
    proc = subprocess.Popen(_cli("load", str(store)), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = wait_measured(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"mlprov load {store} failed with exit {proc.returncode}")
    return time.monotonic() - started, peak


def _killed_in_last_step(wh: Warehouse, store: Path, name: str) -> float | None:
    """Seconds until the kill, or None when the load finished first."""
    started = time.monotonic()
    proc = subprocess.Popen(_cli("load", str(store)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None:
            rows = wh.read("load/store_get", name=name)
            steps = rows[0]["store"].get("load_steps") or [] if rows else []
            if LAST_TABLE in steps:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return time.monotonic() - started
            time.sleep(0.05)
        return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="tests.bench resume")
    parser.add_argument("--store", type=Path, required=True, help="An MLMD SQLite store or a directory of them.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-whole", action="store_true", help="Skip the clean load (study-sized corpora).")
    args = parser.parse_args()
    name = store_name_for(expand_sources([str(args.store)])[-1])  # the store loaded last
    with Warehouse.connect() as wh:
        for run in range(args.runs):
            whole_text = "whole load skipped"
            whole = None
            if not args.no_whole:
                wh.run_batched("admin/clear_graph")
                whole, peak = _timed_load(args.store)
                whole_text = f"whole load {whole:.1f}s (loader peak RSS {peak / 1024:,.0f} MiB)"
            wh.run_batched("admin/clear_graph")
            until_kill = _killed_in_last_step(wh, args.store, name)
            if until_kill is None:
                print(f"run {run + 1}: the load finished before it could be killed in its last step")
                continue
            status = wh.read("load/store_get", name=name)[0]["store"]["status"]
            rerun, rerun_peak = _timed_load(args.store)
            base = whole if whole is not None else until_kill
            print(
                f"run {run + 1}: {whole_text}; killed in the last step after {until_kill:.1f}s "
                f"(status {status!r}); rerun {rerun:.1f}s (peak RSS {rerun_peak / 1024:,.0f} MiB) = "
                f"{rerun / base:.1%} of the {'whole' if whole is not None else 'killed'} load; "
                f"Neo4j VmHWM {neo4j_peak_kib(ManagedServer())[0] / 1024:,.0f} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
