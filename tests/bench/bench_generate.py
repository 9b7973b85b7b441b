"""Benchmark: generation time and size per preset, then the calibration table.

    .venv/bin/python -m tests.bench.bench_generate [--presets tiny,small,bench] [--seed 0] [--out DIR]

Not a timed test: it prints what it measured (and keeps the corpora under --out when given).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rich.console import Console

from mlprov.generator import check, format_check_table, generate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--presets", default="tiny,small,bench")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    console = Console()
    base = args.out or Path(tempfile.mkdtemp(prefix="mlprov-bench-gen-"))
    for preset in args.presets.split(","):
        out = base / preset
        t0 = time.perf_counter()
        m = generate(out, preset, seed=args.seed, shards=args.shards)
        gen_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        rows = check(out)
        check_s = time.perf_counter() - t1
        console.print(
            f"{preset}: {m.pipelines} pipelines, {m.graphlets} graphlets, {m.counts['Execution']} executions, "
            f"{m.counts['Event']} events, {m.bytes / 1e6:.1f} MB in {len(m.stores)} store(s); "
            f"generate {gen_s:.1f} s, check {check_s:.1f} s; fingerprint {m.fingerprint[:12]}"
        )
        console.print(format_check_table(rows, title=f"{preset} (seed {args.seed})"))


if __name__ == "__main__":
    main()
