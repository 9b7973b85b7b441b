"""One pipeline changes: graphlets / features / predict after the reload, beside the full build.

    MLPROV_HOME=DIR python -m tests.bench incremental -- [--pipelines 60] [--preset bench] [--seed 0]

On the managed Neo4j of ``MLPROV_HOME`` (its graph is wiped): generate a corpus into ``DIR/incremental``,
then through the real CLI, each command timed: ``load``, ``graphlets``, ``features``, ``train --set
input``, ``predict`` (the full build). Then the latest Trainer run of the first store is re-published
(a newer last-update time and a new custom property, as a pipeline re-running its last step would),
that store is reloaded, and ``graphlets``, ``features`` and ``predict`` run again, timed. Printed: each
rebuild's seconds and its share of the full build (issue 16's goal: ≤ 5%).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from mlprov.db import Warehouse
from mlprov.settings import mlprov_home

REBUILT = ("graphlets", "features", "predict")


def _mlprov(*args: str) -> float:
    """Seconds one `mlprov` command took; stops the benchmark with its stderr when it fails."""
    started = time.monotonic()
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("mlprov")), *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"mlprov {' '.join(args)} failed with exit {proc.returncode}: {proc.stderr[-2000:]}")
    return time.monotonic() - started


def republish_latest_trainer(store: Path) -> int:
    """Give the store's latest Trainer execution a newer update time and a custom property; its id."""
    conn = sqlite3.connect(store)
    try:
        row = conn.execute(
            "SELECT e.id FROM Execution e JOIN Type t ON t.id = e.type_id WHERE t.name LIKE '%Trainer%' "
            "ORDER BY e.id DESC LIMIT 1"
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
    parser.add_argument("--pipelines", type=int, default=60)
    parser.add_argument("--preset", default="bench")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    corpus = mlprov_home() / "incremental"
    shutil.rmtree(corpus, ignore_errors=True)
    _mlprov("neo4j", "start")
    with Warehouse.connect() as wh:
        wh.run_batched("admin/clear_graph")
    _mlprov(
        "generate", str(corpus), "--preset", args.preset, "--pipelines", str(args.pipelines), "--seed", str(args.seed)
    )
    stores = corpus / "stores"
    full = {"load": _mlprov("load", str(stores))}
    for step in ("graphlets", "features"):
        full[step] = _mlprov(step)
    _mlprov("train", "--set", "input")
    full["predict"] = _mlprov("predict")

    first = sorted(stores.glob("*.sqlite"))[0]
    trainer = republish_latest_trainer(first)
    again = {"load": _mlprov("load", str(stores))}
    for step in REBUILT:
        again[step] = _mlprov(step)

    print(
        f"{args.pipelines} pipelines ({args.preset}, seed {args.seed}); Trainer {trainer} of {first.name} re-published"
    )
    print("| step | full build s | after a one-pipeline change s | share |")
    print("|---|---:|---:|---:|")
    for step in ("load", *REBUILT):
        print(f"| {step} | {full[step]:.1f} | {again[step]:.1f} | {again[step] / full[step]:.1%} |")


if __name__ == "__main__":
    main()
