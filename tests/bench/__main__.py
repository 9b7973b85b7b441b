"""Run the benchmarks: ``python -m tests.bench [NAME ...] [-- ARGS]``.

Without a name every ``bench_*.py`` module of this folder runs, in name order; ``NAME`` (``load`` or
``bench_load``) runs one. Arguments after ``--`` are given to each chosen benchmark as its ``sys.argv``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    names, rest = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    found = available()
    chosen = [n.removeprefix("bench_") for n in names] or found
    unknown = [n for n in chosen if n not in found]
    if unknown:
        print(f"no benchmark named {', '.join(unknown)}; available: {', '.join(found)}", file=sys.stderr)
        return 2
    for name in chosen:
        print(f"=== benchmark {name}", flush=True)
        module = importlib.import_module(f"tests.bench.bench_{name}")
        sys.argv = [f"tests.bench.bench_{name}", *rest]  # each benchmark's main() parses sys.argv
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
