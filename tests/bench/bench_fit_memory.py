"""Benchmark: wall time and peak RSS of ``train_model`` (one set) and ``evaluate`` (one split) on one cached
feature frame, by this checkout and, side by side in the same run, by other checkouts' interpreters.

    python -m tests.bench fit_memory -- --frame $MLPROV_HOME/features/frame-….parquet
    python -m tests.bench fit_memory -- --frame F --against /path/to/old/checkout/.venv/bin/python --what train

Each measurement is a fresh process (``python this_file.py --child WHAT FRAME``), so its peak RSS
(``ru_maxrss``) is its own: the frame read from parquet, then the fits. ``--against`` runs the same
file with another interpreter, i.e. another checkout's ``mlprov`` (an older commit); the models must
come out the same (model version, threshold, every evaluated set's balanced accuracy and ROC-AUC), and
the table says whether they did. ``--frame`` defaults to the newest frame under
``$MLPROV_HOME/features/``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

WHAT = ("train", "evaluate")


def child(what: str, frame_path: str) -> dict[str, Any]:
    """One measurement in this process (the frame read, then the fits)."""
    import pandas as pd

    from mlprov.features import frame
    from mlprov.features.evaluation import evaluate
    from mlprov.features.predictor import split_by_pipeline, train_model

    # older checkouts read the whole parquet table before converting it (no ``read_frame``)
    read = getattr(frame, "read_frame", pd.read_parquet)
    ff = frame.FeatureFrame(read(Path(frame_path)), "bench-fit-memory", 3)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if what == "train":
        train, _ = split_by_pipeline(ff.labelled, 0)
        # older checkouts fit the folds one at a time and have no ``workers``
        kw = {"workers": 2} if "workers" in inspect.signature(train_model).parameters else {}
        m = train_model(ff, "validation", train, seed=0, **kw)
        result: dict[str, Any] = {"model": m.version, "threshold": m.threshold, "rounds": m.rounds}
    else:
        ev = evaluate(ff, seeds=(0,))
        result = {"metrics": {r["set"]: [r["ba"][0], r["auc"][0]] for r in ev.as_dict()["results"]}}
    return {
        "seconds": round(time.perf_counter() - t0, 1),
        "frame_rss_mib": loaded // 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        **result,
    }


def measure(python: str, what: str, frame: Path) -> dict[str, Any]:
    proc = subprocess.run([python, __file__, "--child", what, str(frame)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{python} {what}: exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _outcome(run: dict[str, Any]) -> dict[str, Any]:
    """What was learnt, without the costs."""
    return {k: v for k, v in run.items() if k not in ("seconds", "frame_rss_mib", "peak_rss_mib")}


def newest_frame() -> Path:
    from mlprov.features.frame import cache_dir

    frames = sorted(cache_dir().glob("frame-*.parquet"), key=lambda p: p.stat().st_mtime)
    if not frames:
        raise SystemExit(f"no cached feature frame under {cache_dir()}: run `mlprov features` or pass --frame")
    return frames[-1]


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frame", type=Path, help="cached feature frame (parquet)")
    parser.add_argument("--against", action="append", default=[], help="another checkout's python (repeatable)")
    parser.add_argument("--what", choices=(*WHAT, "both"), default="both")
    args = parser.parse_args()
    frame = args.frame or newest_frame()
    pythons = [sys.executable, *args.against]
    print(f"frame {frame}; this checkout: {sys.executable}")
    for what in WHAT if args.what == "both" else (args.what,):
        runs = [(python, measure(python, what, frame)) for python in pythons]
        same = all(_outcome(r) == _outcome(runs[0][1]) for _, r in runs)
        for python, r in runs:
            print(
                f"{what:9} {python}: {r['seconds']:8.1f} s, peak RSS {r['peak_rss_mib']:,} MiB "
                f"(frame read: {r['frame_rss_mib']:,} MiB)"
            )
        if len(runs) > 1:
            base, this = runs[1][1], runs[0][1]
            print(
                f"{what:9} this checkout / first --against: time {this['seconds'] / base['seconds']:.2f}, "
                f"peak RSS {this['peak_rss_mib'] / base['peak_rss_mib']:.2f}; same models: {same}"
            )


if __name__ == "__main__":
    main()
