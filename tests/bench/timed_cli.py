"""One `mlprov` command with its own work time: ``python -m tests.bench.timed_cli ARGS...``.

Runs the command as the ``mlprov`` script does, but first imports the CLI and the modules the command
imports when it starts (pandas, xgboost, the builder...), then times the command alone and prints
``work_seconds=<s> imports_seconds=<s>`` as the last line on stderr. The caller's wall time of this
process is the CLI's wall time (interpreter start-up, imports and the work); ``work_seconds`` excludes
start-up and imports.
"""

from __future__ import annotations

import importlib
import sys
import time

STARTED = time.monotonic()

# what each command imports lazily when it runs (beside mlprov.cli, which imports every command module)
LAZY = {
    "graphlets": ("mlprov.graphlets.builder",),
    "features": ("mlprov.features.frame", "mlprov.features.tfdv", "rich.progress"),
    "predict": ("mlprov.features.predictor", "mlprov.features.frame", "rich.progress"),
    "train": ("mlprov.features.predictor", "mlprov.features.frame", "rich.progress"),
    "load": ("mlprov.loader.load",),
}


def main(args: list[str]) -> int:
    cli = importlib.import_module("mlprov.cli")
    for name in LAZY.get(args[0] if args else "", ()):
        importlib.import_module(name)
    ready = time.monotonic()
    code = 0
    try:
        cli.app(args, standalone_mode=False)
    except SystemExit as exc:  # typer's exit for a usage error or a handled failure
        code = int(exc.code or 0)
    done = time.monotonic()
    print(f"work_seconds={done - ready:.3f} imports_seconds={ready - STARTED:.3f}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
