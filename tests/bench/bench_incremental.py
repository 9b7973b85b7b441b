"""One pipeline changes: graphlets / features / predict after the reload, beside the full build.

    MLPROV_HOME=DIR python -m tests.bench incremental -- [--pipelines N] [--preset bench] [--seed 0] [--bulk]
        [--reuse-corpus]

On the managed Neo4j of ``MLPROV_HOME`` (its graph is wiped): generate a corpus into ``DIR/incremental``
(the preset's pipeline count unless ``--pipelines``: 300 for ``bench``; with ``--reuse-corpus`` the stores
already there are taken as they are, the earlier runs' re-published Trainers included) and drop the frame
cache (``DIR/features``), then through the real CLI, each
command timed: ``load`` (``--bulk`` with ``--bulk``), ``graphlets``, ``features``, ``train --set input``,
``predict`` (the full build). Then the latest Trainer run of the first store is re-published (a newer
last-update time and a new custom property, as a pipeline re-running its last step would), that store is
reloaded, and ``graphlets``, ``features`` and ``predict`` run again, timed. Printed: each step's seconds
and the rebuild's share of the full build (issue 16's goal: ≤ 5%), twice: **wall**, the command's process
from start to exit (interpreter start-up and imports included, ~1–2 s), and **work**, the command alone,
measured inside the process after its imports (``tests/bench/timed_cli.py``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from mlprov.db import Warehouse
from mlprov.settings import mlprov_home

REBUILT = ("graphlets", "features", "predict")
WORK = re.compile(r"work_seconds=([0-9.]+)")


def _mlprov(*args: str) -> tuple[float, float, str]:
    """(wall seconds, work seconds, output) of one `mlprov` command run through ``tests.bench.timed_cli``;
    stops the benchmark with its stderr when it fails."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.timed_cli", *args], capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    found = WORK.findall(proc.stderr)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"mlprov {' '.join(args)} failed with exit {proc.returncode}: {proc.stderr[-2000:]}")
    said = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip() and "work_seconds" not in line]
    return wall, float(found[-1]), " | ".join(said[-3:])


def republish_latest_trainer(store: Path, *, earliest: bool = False) -> int:
    """Give the store's latest (or ``earliest``) Trainer execution a newer update time and a custom
    property; its id."""
    conn = sqlite3.connect(store)
    try:
        row = conn.execute(
            "SELECT e.id FROM Execution e JOIN Type t ON t.id = e.type_id WHERE t.name LIKE '%Trainer%' "
            "ORDER BY CASE WHEN ? THEN e.id ELSE -e.id END LIMIT 1",
            (earliest,),
        ).fetchone()
        top = int(conn.execute("SELECT MAX(last_update_time_since_epoch) FROM Execution").fetchone()[0])
        conn.execute("UPDATE Execution SET last_update_time_since_epoch = ? WHERE id = ?", (top + 1000, row[0]))
        conn.execute(
            "INSERT OR REPLACE INTO ExecutionProperty (execution_id, name, is_custom_property, int_value) "
            "VALUES (?, 'bench_revision', 1, 2)",
            (row[0],),
        )
        conn.commit()
        return int(row[0])
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="tests.bench incremental")
    parser.add_argument("--pipelines", type=int, default=None, help="default: the preset's")
    parser.add_argument("--preset", default="bench")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bulk", action="store_true", help="the full build's load with --bulk")
    parser.add_argument(
        "--reuse-corpus", action="store_true", help="take the stores of an earlier run (generate only when none)"
    )
    args = parser.parse_args()
    corpus = mlprov_home() / "incremental"
    stores = corpus / "stores"
    reuse = args.reuse_corpus and any(stores.glob("*.sqlite"))
    if not reuse:
        shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(mlprov_home() / "features", ignore_errors=True)  # the full build computes every row
    _mlprov("neo4j", "start")
    with Warehouse.connect() as wh:
        wh.run_batched("admin/clear_graph")
    if not reuse:
        sized = [] if args.pipelines is None else ["--pipelines", str(args.pipelines)]
        _mlprov("generate", str(corpus), "--preset", args.preset, *sized, "--seed", str(args.seed))
    full = {"load": _mlprov("load", str(stores), *(["--bulk"] if args.bulk else []))}
    for step in ("graphlets", "features"):
        full[step] = _mlprov(step)
    _mlprov("train", "--set", "input")
    full["predict"] = _mlprov("predict")

    first = sorted(stores.glob("*.sqlite"))[0]
    trainer = republish_latest_trainer(first)
    again = {"load": _mlprov("load", str(stores))}
    for step in REBUILT:
        again[step] = _mlprov(step)

    with Warehouse.connect() as wh:
        graphlets = int(wh.read_text("MATCH (g:Graphlet) RETURN count(g) AS n", {})[1][0]["n"])
    print(
        f"{args.pipelines or 'preset'} pipelines ({args.preset}, seed {args.seed}, {graphlets:,} graphlets); "
        f"Trainer {trainer} of {first.name} re-published"
    )
    print("wall: the command's process, start-up and imports included; work: the command alone, after its imports")
    print("| step | full wall s | full work s | after the change wall s | work s | share wall | share work |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for step in ("load", *REBUILT):
        (fw, fk, _), (aw, ak, _) = full[step], again[step]
        print(f"| {step} | {fw:.2f} | {fk:.2f} | {aw:.2f} | {ak:.2f} | {aw / fw:.1%} | {ak / fk:.1%} |")
    for step in ("load", *REBUILT):
        print(f"{step} after the change said: {again[step][2]}")


if __name__ == "__main__":
    main()
