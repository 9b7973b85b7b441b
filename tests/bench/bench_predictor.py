"""Benchmark: generate → load → graphlets → features → train/evaluate the push predictor.

Prints the analogue of the study's Table 3 (balanced accuracy per feature set with the study's
numbers beside ours, ROC-AUC, feature cost, waste removed at 100% and ≥ 95% freshness, net saving,
training time per set), the oracle gap from the generator's latent push probabilities, the issue's
targets (met / missed), and writes the freshness–waste curve (PNG + self-contained HTML) and
``results.json``.

Run against your own server (the warehouse is emptied when it holds anything but this corpus)::

    MLPROV_HOME=/tmp/predictor_home .venv/bin/mlprov neo4j start
    MLPROV_HOME=/tmp/predictor_home .venv/bin/python -m tests.bench.bench_predictor --preset small
    MLPROV_HOME=/tmp/predictor_home .venv/bin/python -m tests.bench.bench_predictor --preset bench --pipelines 60

A corpus already generated in ``--corpus`` with the same preset, pipeline count and seed is reused,
and a warehouse that already holds exactly its store is reloaded incrementally (a no-op).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rich.console import Console

from mlprov.db import Warehouse
from mlprov.features.cli import print_evaluation
from mlprov.features.evaluation import TABLE_COLUMNS, evaluate, table_rows, targets, write_report
from mlprov.features.frame import build_frame, describe_sets
from mlprov.features.registry import ABLATIONS, MAIN_SETS
from mlprov.generator import generate
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from mlprov.settings import mlprov_home


def _corpus(out: Path, preset: str, pipelines: int | None, seed: int, console: Console) -> float:
    stamp = out / "bench_predictor.json"
    want = {"preset": preset, "pipelines": pipelines, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()) == want and (out / "manifest.json").exists():
        console.print(f"corpus: reusing {out}")
        return 0.0
    t0 = time.perf_counter()
    m = generate(out, preset, pipelines=pipelines, seed=seed)
    stamp.write_text(json.dumps(want))
    secs = time.perf_counter() - t0
    console.print(
        f"corpus: {m.pipelines} pipelines, {m.graphlets:,} trainer runs ({m.pushed:,} pushed), "
        f"{m.bytes / 1e6:.0f} MB in {secs:.0f}s → {out}"
    )
    return secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="small", help="generator preset (tiny, small, bench, paper)")
    ap.add_argument("--pipelines", type=int, default=None, help="override the preset's pipeline count")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed")
    ap.add_argument("--seeds", type=int, default=5, help="pipeline splits (model seeds 0..n-1)")
    ap.add_argument("--k", type=int, default=3, help="history window")
    ap.add_argument("--corpus", type=Path, default=None, help="corpus directory (default under MLPROV_HOME)")
    ap.add_argument("--out", type=Path, default=None, help="report directory")
    args = ap.parse_args()
    console = Console(width=160)
    tag = f"{args.preset}{'' if args.pipelines is None else f'-{args.pipelines}'}-s{args.seed}"
    corpus = args.corpus or mlprov_home() / "bench" / f"corpus-{tag}"
    out_dir = args.out or mlprov_home() / "bench" / f"predictor-{tag}"
    timings: dict[str, float] = {"generate": _corpus(corpus, args.preset, args.pipelines, args.seed, console)}
    stores = sorted((corpus / "stores").glob("*.sqlite"))
    with Warehouse.connect() as wh:
        console.print(f"Neo4j: {wh.connection.describe()}")
        loaded = {(r["name"], r["source"]) for r in wh.read("load/stores")}
        wanted = {(p.stem, str(p)) for p in stores}
        if loaded and loaded != wanted:
            console.print("warehouse holds another corpus: emptying it")
            wh.run_batched("admin/clear_graph")
        t0 = time.perf_counter()
        loader = Loader(wh)
        for p in stores:
            loader.load(str(p))
        timings["load"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = build_graphlets(wh)
        timings["graphlets"] = time.perf_counter() - t0
        console.print(f"graphlets: {rep.graphlets:,} ({rep.pushed:,} pushed) in {timings['graphlets']:.0f}s")
        t0 = time.perf_counter()
        ff = build_frame(wh, k=args.k, use_cache=False)
        timings["features"] = time.perf_counter() - t0
    console.print(
        f"features: {len(ff.data):,} graphlets × {len(ff.columns('validation'))} features in "
        f"{timings['features']:.1f}s ({len(ff.data) / max(timings['features'], 1e-9):,.0f} graphlets/s)"
    )
    for s in describe_sets(ff.data, ff.k):
        console.print(f"  {s['set']:<18} {s['features']:>3} features, feature cost {100 * s['feature_cost']:5.1f}%")
    t0 = time.perf_counter()
    ev = evaluate(ff, sets=(*MAIN_SETS, *ABLATIONS), seeds=tuple(range(args.seeds)), latent=corpus / "latent.csv")
    timings["evaluate"] = time.perf_counter() - t0
    print_evaluation(ev, console, TABLE_COLUMNS, table_rows(ev), targets(ev))
    oracle = ev.results["oracle"].summary()["ba"][0]
    for name in MAIN_SETS:
        ba = ev.results[name].summary()["ba"][0]
        console.print(f"oracle gap {name:<18} {ba - oracle:+.3f} balanced accuracy")
    console.print(
        "training time per set (mean per split, tuning + refit): "
        + ", ".join(
            f"{n} {r.summary()['train_seconds'][0]:.2f}s"
            for n, r in ev.results.items()
            if n not in ("heuristic", "oracle")
        )
    )
    paths = write_report(ev, out_dir)
    (out_dir / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    console.print("timings: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()))
    console.print(f"curve: {paths['png']}\nreport: {paths['html']}\nresults: {paths['json']}")


if __name__ == "__main__":
    main()
