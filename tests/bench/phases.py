"""One benchmark phase in its own process, so its peak RSS is its own.

``python -m tests.bench.phases PHASE JSON`` runs the phase and prints one JSON line (the last line
of its output) with its timings, counts and ``peak_rss_kib`` (``resource.getrusage``). Phases:

* ``ours``  — ``Loader(batch_size).load(path, store)``, with the time split between reading SQLite,
  shaping rows in Python and Neo4j writes, per table; optional cProfile top functions.
* ``naive`` — the row-at-a-time baseline of ``naive_loader``.
* ``csv``   — writing the import CSV files.

``run_phase`` is the parent side: it starts the phase, waits for it with ``os.wait4`` and returns the
decoded result; ``wait_measured`` is that wait, for any child process.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mlprov.db import Row, Warehouse
from mlprov.loader.load import Loader
from mlprov.loader.sources.database import MlmdDatabase

Result = dict[str, Any]


class _Timer:
    """Accumulates wall time per key."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, key: str, dt: float) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + dt


class _TimedWarehouse(Warehouse):
    """A Warehouse whose writes are timed (driver packing + network + server work + commit)."""

    timer: _Timer

    def write(self, name: str, /, **params: Any) -> list[Row]:
        t = time.perf_counter()
        try:
            return super().write(name, **params)
        finally:
            self.timer.add("neo4j_write", time.perf_counter() - t)


class _PassObserver:
    """Wall time per load pass (a pass ends when the next one begins)."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.started = 0.0
        self.passes: dict[str, float] = {}

    def begin(self, table: str, total: int) -> None:
        self.end()
        self.current, self.started = table, time.perf_counter()

    def advance(self, table: str, rows: int) -> None:
        pass

    def end(self) -> None:
        if self.current is not None:
            self.passes[self.current] = time.perf_counter() - self.started
            self.current = None


def _time_sqlite(timer: _Timer) -> None:
    """Time every chunk fetched from the MLMD source (SQL execution + fetchmany + tuple copies)."""
    original = MlmdDatabase.rows

    def rows(self: MlmdDatabase, sql: str, params: Any = (), chunk: int = 10_000) -> Iterator[Any]:
        gen = original(self, sql, params, chunk)
        while True:
            t = time.perf_counter()
            try:
                batch = next(gen)
            except StopIteration:
                timer.add("sqlite_read", time.perf_counter() - t)
                return
            timer.add("sqlite_read", time.perf_counter() - t)
            yield batch

    setattr(MlmdDatabase, "rows", rows)  # noqa: B010 (patched in this benchmark process only)


def _profiled(fn: Callable[[], Result], top: int) -> Result:
    prof = cProfile.Profile()
    result = prof.runcall(fn)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    result["profile"] = out.getvalue()
    return result


def phase_ours(args: dict[str, Any]) -> Result:
    timer = _Timer()
    _time_sqlite(timer)
    observer = _PassObserver()
    wh = _TimedWarehouse.connect()
    assert isinstance(wh, _TimedWarehouse)
    wh.timer = timer
    try:

        def run() -> Result:
            started = time.perf_counter()
            report = Loader(wh, batch_size=int(args["batch"]), observer=observer).load(
                str(args["path"]), store=str(args["store"])
            )
            seconds = time.perf_counter() - started
            observer.end()
            return {
                "seconds": seconds,
                "elements": report.elements,
                "rows": report.rows,
                "up_to_date": report.up_to_date,
                "passes": observer.passes,
            }

        result = _profiled(run, int(args.get("top", 25))) if args.get("profile") else run()
    finally:
        wh.close()
    result["split"] = dict(timer.seconds)
    return result


def phase_naive(args: dict[str, Any]) -> Result:
    from tests.bench.naive_loader import naive_load

    with Warehouse.connect() as wh:
        report = naive_load(wh, str(args["path"]), str(args["store"]))
    return {
        "seconds": report.seconds,
        "elements": report.elements,
        "rows": report.rows,
        "split": {"neo4j_write": report.write_seconds},
    }


def phase_csv(args: dict[str, Any]) -> Result:
    """The CSV files of ``mlprov load --bulk`` (its writer alone)."""
    from mlprov.loader.bulk import write_csv

    started = time.perf_counter()
    files, reports = write_csv([str(args["path"])], Path(args["out"]))
    return {
        "seconds": time.perf_counter() - started,
        "elements": sum(r.elements for r in reports),
        "nodes": [[k, str(v)] for k, v in files.nodes],
        "relationships": [[k, str(v)] for k, v in files.relationships],
        "multiline": [str(p) for p in files.multiline],
        "spooled": files.spooled,
        "bytes": files.bytes_written,
    }


PHASES: dict[str, Callable[[dict[str, Any]], Result]] = {"ours": phase_ours, "naive": phase_naive, "csv": phase_csv}


def wait_measured(proc: subprocess.Popen[Any]) -> int:
    """Reap ``proc`` with ``os.wait4`` (sets its ``returncode``); return its peak RSS in KiB."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return int(usage.ru_maxrss)


def run_phase(name: str, **args: Any) -> Result:
    """Run one phase in a fresh Python process; adds ``peak_rss_kib`` measured by the parent."""
    cmd = [sys.executable, "-m", "tests.bench.phases", name, json.dumps(args, default=str)]
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, cwd=root, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    peak_rss_kib = wait_measured(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark phase {name} failed with exit {proc.returncode}: {output[-2000:]}")
    result: Result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_kib"] = peak_rss_kib
    return result


def main() -> None:
    name, raw = sys.argv[1], sys.argv[2]
    result = PHASES[name](json.loads(raw))
    result["self_peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


if __name__ == "__main__":
    main()
