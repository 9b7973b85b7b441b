"""Benchmark: ``evaluate`` with the old default model kinds (xgboost and the study's Random Forest) beside the
new default (xgboost alone), on one feature frame, in one process, one after the other.

Prints per configuration the wall and CPU seconds (CPU: this process and its threads, which is what the fits
cost whatever else runs on the machine), the fits' own wall seconds per model kind summed over the fits (two
run at a time, so the sum exceeds the wall time), and checks that every row both
runs share (xgboost per set, heuristic, oracle) has exactly the same metrics::

    python -m tests.bench evaluate -- --frame $MLPROV_HOME/features/frame-….parquet --seeds 1
    python -m tests.bench evaluate -- --frame F --pipelines 60 --seeds 5 --latent corpus/latent.csv

``--frame`` is a cached feature frame (``mlprov features`` writes it under ``$MLPROV_HOME/features/``;
default: the newest there); ``--pipelines N`` keeps the graphlets of the first N pipelines (by
``store/pipeline``) for a smaller run with the same profile.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mlprov.features.evaluation import Evaluation, evaluate
from mlprov.features.frame import FeatureFrame, cache_dir, read_frame
from mlprov.features.predictor import pipeline_keys

CONFIGS: dict[str, tuple[str, ...]] = {"before: xgboost,rf": ("xgboost", "rf"), "after: xgboost": ("xgboost",)}


def load_frame(path: Path | None, pipelines: int | None, k: int) -> FeatureFrame:
    """The cached frame at ``path`` (default: the newest in the cache), cut to its first ``pipelines``."""
    if path is None:
        frames = sorted(cache_dir().glob("frame-*.parquet"), key=lambda p: p.stat().st_mtime)
        if not frames:
            raise SystemExit(f"no cached feature frame in {cache_dir()}: run `mlprov features` or pass --frame")
        path = frames[-1]
    data = read_frame(path)
    if pipelines is not None:
        keys = pipeline_keys(data)
        data = data[keys.isin(sorted(keys.unique())[:pipelines])].reset_index(drop=True)
    return FeatureFrame(data, path.stem.removeprefix("frame-"), k)


def run(
    ff: FeatureFrame, models: Sequence[str], seeds: int, latent: Path | None
) -> tuple[Evaluation, dict[str, float]]:
    t0, c0 = time.perf_counter(), time.process_time()
    ev = evaluate(ff, seeds=tuple(range(seeds)), latent=latent, models=tuple(models))
    fits: dict[str, float] = {}
    for r in ev.results.values():
        if r.model in ("xgboost", "rf"):
            fits[r.model] = fits.get(r.model, 0.0) + sum(r.seconds)
    return ev, {
        "wall": time.perf_counter() - t0,
        "cpu": time.process_time() - c0,
        **{f"{m} fits, summed": s for m, s in fits.items()},
    }


def metrics(ev: Evaluation) -> dict[str, dict[str, Any]]:
    """Every row's reported metrics except its training time."""
    return {r["set"]: {k: v for k, v in r.items() if k != "train_seconds"} for r in ev.as_dict()["results"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frame", type=Path, default=None, help="cached feature frame (parquet)")
    ap.add_argument("--pipelines", type=int, default=None, help="keep the first N pipelines")
    ap.add_argument("--seeds", type=int, default=1, help="pipeline splits (seeds 0..n-1)")
    ap.add_argument("--k", type=int, default=3, help="the frame's history window")
    ap.add_argument("--latent", type=Path, default=None, help="the generator's latent.csv (oracle row)")
    ap.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    args = ap.parse_args()
    console = Console(width=140)
    ff = load_frame(args.frame, args.pipelines, args.k)
    console.print(
        f"frame {ff.fingerprint[:12]}: {len(ff.data):,} graphlets ({len(ff.labelled):,} labelled) of "
        f"{pipeline_keys(ff.data).nunique()} pipelines; {args.seeds} split(s)"
    )
    times: dict[str, dict[str, float]] = {}
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for label, models in CONFIGS.items():
        ev, times[label] = run(ff, models, args.seeds, args.latent)
        rows[label] = metrics(ev)
        console.print(f"{label}: {times[label]['wall']:.1f} s wall, {times[label]['cpu']:.1f} s CPU", highlight=False)
    before, after = rows.values()
    shared = [name for name in after if name in before]
    differ = [name for name in shared if json.dumps(before[name]) != json.dumps(after[name])]
    table = Table(title="evaluate: before (xgboost + Random Forest) and after (xgboost) on one frame")
    columns = sorted({c for t in times.values() for c in t})
    table.add_column("configuration", justify="left")
    for c in columns:
        table.add_column(f"{c} s", justify="right")
    for label, t in times.items():
        table.add_row(label, *(f"{t[c]:.1f}" if c in t else "-" for c in columns))
    console.print(table)
    first, last = times.values()
    console.print(
        f"after / before: wall {last['wall'] / first['wall']:.3f}, CPU {last['cpu'] / first['cpu']:.3f}; "
        f"rows in both runs: {len(shared)}, metrics equal: {len(shared) - len(differ)}"
        + (f" (differ: {', '.join(differ)})" if differ else ""),
        highlight=False,
    )
    if args.json is not None:
        args.json.write_text(json.dumps({"frame": ff.fingerprint, "seeds": args.seeds, "times": times}, indent=2))
    if differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
