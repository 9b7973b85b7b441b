"""A load killed in its last step, then run again: how long the rerun takes beside a whole load.

``python -m tests.bench resume -- --store PATH [--runs N]``: on the configured Neo4j (its graph is
wiped!), for each run: a clean `mlprov load PATH` (timed); then the graph is wiped, the load is
started again and killed (SIGKILL) as soon as the :Store node records its last table step
(``attributions``), i.e. during the post-load steps; then `mlprov load PATH` again (timed). The ratio
rerun / whole load is printed per run. Both loads run side by side in one process tree, so machine
noise hits both.
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

LAST_TABLE = "attributions"


def _cli(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("mlprov")), *args]


def _timed_load(store: Path) -> float:
    started = time.monotonic()
    subprocess.run(_cli("load", str(store)), check=True, capture_output=True)
    return time.monotonic() - started


def _killed_in_last_step(wh: Warehouse, store: Path, name: str) -> bool:
    proc = subprocess.Popen(_cli("load", str(store)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None:
            rows = wh.read("load/store_get", name=name)
            steps = rows[0]["store"].get("load_steps") or [] if rows else []
            if LAST_TABLE in steps:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.02)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="tests.bench resume")
    parser.add_argument("--store", type=Path, required=True, help="An MLMD SQLite store.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    name = args.store.stem
    with Warehouse.connect() as wh:
        for run in range(args.runs):
            wh.run_batched("admin/clear_graph")
            whole = _timed_load(args.store)
            wh.run_batched("admin/clear_graph")
            if not _killed_in_last_step(wh, args.store, name):
                print(f"run {run + 1}: the load finished before it could be killed in its last step")
                continue
            status = wh.read("load/store_get", name=name)[0]["store"]["status"]
            rerun = _timed_load(args.store)
            print(
                f"run {run + 1}: whole load {whole:.2f}s; killed in the last step (status {status!r}); "
                f"rerun {rerun:.2f}s = {rerun / whole:.1%} of the whole load",
                flush=True,
            )


if __name__ == "__main__":
    main()
