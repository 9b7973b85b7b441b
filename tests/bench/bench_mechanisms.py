"""Ablation of the generator's push mechanisms: switch each one off, rerun the whole path and show
which feature set loses what.

For the calibrated mechanism and for each ablation, a corpus is generated (same preset, pipeline
count and seed, so only the switched-off mechanism differs), loaded into an emptied warehouse,
graphlets and features are built, and the main feature sets are evaluated on pipeline splits with the
model-type heuristic and the oracle (``latent.csv``). One row per (variant, feature set): balanced
accuracy, waste removed at 100% freshness; then the difference to the calibrated row. The calibration
check (``mlprov generate --check``) of every variant is printed too, so a reader sees what else an
ablation moves.

Ablations (each replaces parameters of :data:`mlprov.generator.mechanism.MECHANISM`):

* ``model_type``: every model type gets the same skill offset and change threshold, and minimal pipelines
  draw their model types like the others (no push rate by type);
* ``anomalies``: no data-validation anomalies (no Transform re-run, no Trainer reading anomalies, no
  anomaly gate);
* ``trainer_schema``: a Trainer handed the anomalies writes no schema beside its model (its only trace is the
  ``anomalies`` input, one edge on top of the rolling window's);
* ``staleness``: the pushed baseline does not go stale with the runs since its push;
* ``freeze``: no pipeline freezes its pushes for the last part of its life;
* ``freeze_signs``: the freeze stays, but the trace shows nothing of it before the Trainer (no flagged spans,
  the re-tunes go on);
* ``teacher_retrain``: a distillation teacher is retrained on every run (the student's predecessor is then the
  teacher's graphlet of the same run, whose outcome is never known);
* ``minimal_throttle``: a minimal pipeline draws its push throttle like the others (most have none) and may
  freeze;
* ``freeze_evaluation``: the Evaluator of a frozen pipeline blesses as before the freeze (only the Pusher
  refuses);
* ``late_data``: every span lands in time (no scheduled run retrains on the spans of the run before: Table 1's
  pairs on the same spans come only from parallel Trainers and code changes);
* ``tuner``: re-tuning brings no quality gain (the Tuner still runs on the same schedule);
* ``training_noise``: ten times the per-run training noise (what only the Evaluator sees).

Run against your own server (the warehouse is emptied)::

    MLPROV_HOME=/tmp/mech_home .venv/bin/mlprov neo4j start
    MLPROV_HOME=/tmp/mech_home .venv/bin/python -m tests.bench.bench_mechanisms --pipelines 100 --seed 21
    MLPROV_HOME=/tmp/mech_home .venv/bin/python -m tests.bench.bench_mechanisms --only calibrated
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from mlprov.db import Warehouse
from mlprov.features.evaluation import evaluate
from mlprov.features.frame import build_frame
from mlprov.features.registry import MAIN_SETS
from mlprov.generator import check, format_check_text, generate
from mlprov.generator.mechanism import MECHANISM, Mechanism
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from mlprov.settings import mlprov_home

VARIANTS: dict[str, Mechanism] = {
    "calibrated": MECHANISM,
    "model_type": replace(
        MECHANISM,
        type_margin=tuple((t, 0.0) for t, _ in MECHANISM.type_margin),
        type_threshold=tuple((t, 0.0) for t, _ in MECHANISM.type_threshold),
        minimal_model_type_weights=MECHANISM.model_type_weights,
    ),
    "anomalies": replace(MECHANISM, anomaly_rate_median=0.0),
    "trainer_schema": replace(MECHANISM, anomaly_trainer_schema=False),
    "staleness": replace(MECHANISM, stale_per_run=0.0),
    "freeze": replace(MECHANISM, freeze_share=0.0),
    "freeze_signs": replace(MECHANISM, freeze_anomaly_rate=0.0, freeze_stops_retune=False),
    "teacher_retrain": replace(MECHANISM, teacher_retrain=1.0),
    "minimal_throttle": replace(MECHANISM, minimal_throttle_runs=MECHANISM.throttle_runs, freeze_minimal=True),
    "freeze_evaluation": replace(MECHANISM, freeze_fails_evaluation=False),
    "late_data": replace(MECHANISM, late_data_hours=0.0),
    "tuner": replace(MECHANISM, tuner_gain=0.0),
    "training_noise": replace(MECHANISM, sigma_train=tuple((t, 10 * s) for t, s in MECHANISM.sigma_train)),
}


def run_variant(
    name: str, corpus: Path, preset: str, pipelines: int | None, seed: int, splits: int
) -> dict[str, object]:
    """Generate, load, build and evaluate one variant; returns its summary."""
    t0 = time.perf_counter()
    generate(corpus, preset, pipelines=pipelines, seed=seed, mechanism=VARIANTS[name])
    rows = check(corpus)
    stores = sorted((corpus / "stores").glob("*.sqlite"))
    with Warehouse.connect() as wh:
        wh.run_batched("admin/clear_graph")
        loader = Loader(wh)
        for p in stores:
            loader.load(str(p))
        build_graphlets(wh)
        ff = build_frame(wh, use_cache=False)
    ev = evaluate(ff, sets=MAIN_SETS, seeds=tuple(range(splits)), latent=corpus / "latent.csv")
    out: dict[str, object] = {
        "variant": name,
        "seconds": round(time.perf_counter() - t0),
        "check": format_check_text(rows),
        "labelled": ev.labelled,
        "pushed": ev.pushed,
    }
    for set_name, r in ev.results.items():
        s = r.summary()
        out[set_name] = {"ba": s["ba"], "removed_full": s["waste_removed_full_freshness"]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="bench")
    ap.add_argument("--pipelines", type=int, default=100)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--splits", type=int, default=5, help="pipeline splits (model seeds 0..n-1)")
    ap.add_argument("--only", default=",".join(VARIANTS), help="comma-separated variants to run")
    ap.add_argument("--out", type=Path, default=None, help="results directory (default under MLPROV_HOME)")
    args = ap.parse_args()
    out_dir = args.out or mlprov_home() / "bench" / f"mechanisms-{args.preset}-{args.pipelines}-s{args.seed}"
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, object]] = []
    for name in args.only.split(","):
        if name not in VARIANTS:
            raise SystemExit(f"unknown variant {name!r}; choose from {', '.join(VARIANTS)}")
        res = run_variant(name, out_dir / f"corpus-{name}", args.preset, args.pipelines, args.seed, args.splits)
        results.append(res)
        (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        print(f"## {name} ({res['seconds']} s, {res['labelled']} labelled, {res['pushed']} pushed)")
        print(res["check"])
        print("| set | BA | waste removed @100% fresh |\n|---|---:|---:|")
        for set_name in ("heuristic", *MAIN_SETS, "oracle"):
            r = res[set_name]
            assert isinstance(r, dict)
            (ba, ba_sd), (rem, rem_sd) = r["ba"], r["removed_full"]
            print(f"| {set_name} | {ba:.3f} ± {ba_sd:.3f} | {100 * rem:.0f}% ± {100 * rem_sd:.0f} |", flush=True)
    base = next((r for r in results if r["variant"] == "calibrated"), None)
    if base is not None and len(results) > 1:
        print("\n| ablation | " + " | ".join(f"Δ BA {s}" for s in ("heuristic", *MAIN_SETS)) + " |")
        print("|---|" + "---:|" * (len(MAIN_SETS) + 1))
        for r in results:
            if r is base:
                continue
            cells = []
            for s in ("heuristic", *MAIN_SETS):
                rv, bv = r[s], base[s]
                assert isinstance(rv, dict) and isinstance(bv, dict)
                cells.append(f"{rv['ba'][0] - bv['ba'][0]:+.3f}")
            print(f"| {r['variant']} off | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
