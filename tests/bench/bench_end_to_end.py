"""End-to-end benchmark: the whole job through the real CLI at several corpus sizes, extrapolated to ``paper``.

    .venv/bin/python -m tests.bench.bench_end_to_end [--pipelines 30,75,150,300] [--preset bench] [--seed 0]
        [--phases generate,load,graphlets,features,train,evaluate,predict,report] [--eval-seeds 1]
        [--home DIR] [--out DIR] [--delete-corpora] [--transactional]
    .venv/bin/python -m tests.bench end_to_end -- --pipelines 4,8 --preset tiny --home /tmp/e2e_dev_home

Sizes run in ascending order. Each starts the managed Neo4j of --home (``mlprov neo4j start``) on a
new database (the data directory of the previous size is deleted: ``mlprov reset --yes`` would empty
the graph, but emptied store files keep their size; without the load phase in --phases the graph of
the previous run is kept, e.g. to continue a run that stopped after its load), so the server's VmHWM
and store size are the size's own, and ends with ``mlprov neo4j stop`` (the shutdown checkpoint writes
the store files out before their size is taken; start it again to look at the last size's graph). In between every phase
runs as its own ``mlprov`` process, exactly what a user types: ``generate DIR --preset P --pipelines N
--seed S``, ``load DIR/stores --bulk`` (the first load of a new warehouse; ``--transactional`` drops
``--bulk``), ``graphlets``, ``features --no-cache`` (a first run has no cache),
``train --set S`` for each main feature set, ``evaluate --seeds E --latent DIR/latent.csv``,
``predict``, ``report --out DIR`` (skipped with a note when ``mlprov report --help`` fails). Each
phase's wall seconds and peak RSS (``os.wait4``) are measured; after the last phase the server's
VmHWM, the graph's nodes and relationships, its store size and the number of graphlets and executions.

Every command runs with ``MLPROV_HOME=--home`` (default: a new temporary directory) and without
``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE``, so only that home's server is
touched; a non-empty --home this benchmark did not create is refused (its graph would be wiped).
Per-phase logs go to ``HOME/runs/N/``, corpora to ``HOME/corpora/``.

The summary fits log(seconds) against log(graphlets) per phase by least squares (the growth
exponent) and extrapolates each phase, and the whole job as their sum, to the ``bench`` goal
(≤ 10 min at 300 pipelines; measured when that size ran) and to ``paper`` scale (3,000 pipelines,
~450k graphlets; ≤ 1 h) — every such number is labelled "extrapolated". Neo4j's peak RSS and store
size get the same fit. ``end_to_end.json`` (all measurements and fits) and ``end_to_end.png`` go to
--out (default: the home). A failing phase stops the run with its command and last stderr lines.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mlprov.db import Warehouse
from mlprov.features.registry import MAIN_SETS
from mlprov.server import ManagedServer, MemoryPlan, machine_ram
from tests.bench.bench_load import graph_elements, log, neo4j_peak_kib
from tests.bench.phases import wait_measured

PHASES = (
    "generate",
    "load",
    "graphlets",
    "features",
    *(f"train:{s}" for s in MAIN_SETS),
    "evaluate",
    "predict",
    "report",
)
FOREIGN_ENV = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
BENCH_PIPELINES = 300
BENCH_GRAPHLETS = 39_860  # `bench` preset, seed 0 (README, Synthetic corpus): used when 300 pipelines did not run
PAPER_GRAPHLETS = 450_000  # the study's scale (docs/generator.md)
GOAL_BENCH_S = 600.0
GOAL_PAPER_S = 3600.0
STDERR_TAIL = 15
MARKER = ".mlprov-bench-end-to-end"  # in a --home this benchmark made (and may wipe)


class PhaseFailed(RuntimeError):
    """A measured command exited non-zero."""


@dataclass
class Measured:
    command: list[str]
    seconds: float
    peak_rss_kib: int


@dataclass
class Size:
    pipelines: int
    corpus: str
    phases: dict[str, Measured] = field(default_factory=dict)
    start_seconds: float = 0.0
    stop_seconds: float = 0.0
    neo4j_start_hwm_kib: int = 0
    neo4j_hwm_kib: int = 0
    graphlets: int = 0
    executions: int = 0
    mlmd_bytes: int = 0
    nodes: int = 0
    relationships: int = 0
    neo4j_store_bytes: int = 0  # data/databases/neo4j after shutdown (store files and indexes, no transaction logs)
    neo4j_data_bytes: int = 0  # the whole data directory (system database and transaction logs too)
    neo4j_memory: str = ""  # heap and page cache the server ran the last phases with (a bulk load restarts it)

    @property
    def total_seconds(self) -> float:
        return sum(m.seconds for m in self.phases.values())


class Runner:
    """Runs ``mlprov`` commands in the benchmark's own home, measured, with logs per command."""

    def __init__(self, mlprov: str, env: dict[str, str]) -> None:
        self.mlprov, self.env = mlprov, env

    def run(self, argv: list[str], log_base: Path) -> Measured:
        cmd = [self.mlprov, *argv]
        log_base.parent.mkdir(parents=True, exist_ok=True)
        out_path, err_path = log_base.with_suffix(".out"), log_base.with_suffix(".err")
        with out_path.open("w") as out, err_path.open("w") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=self.env)
            peak = wait_measured(proc)
            seconds = time.perf_counter() - started
        if proc.returncode != 0:
            lines = err_path.read_text(errors="replace").strip().splitlines()
            lines = lines or out_path.read_text(errors="replace").strip().splitlines()
            tail = "\n".join("    " + ln for ln in lines[-STDERR_TAIL:])
            raise PhaseFailed(
                f"`{shlex.join(cmd)}` failed with exit {proc.returncode} after {seconds:.1f}s "
                f"(logs {out_path}, {err_path}); last output lines:\n{tail}"
            )
        return Measured(cmd, seconds, peak)

    def works(self, argv: list[str]) -> bool:
        proc = subprocess.run([self.mlprov, *argv], env=self.env, capture_output=True, check=False)
        return proc.returncode == 0


def _memory_plan() -> MemoryPlan:
    """What the managed server chooses at each size's start (a new, empty database; env vars win); each size
    records what its server ran with last (``neo4j_memory``)."""
    return MemoryPlan.choose(machine_ram(), 0)


def phase_argv(phase: str, pipelines: int, corpus: Path, run_dir: Path, args: argparse.Namespace) -> list[str]:
    """The command line a user types for ``phase``."""
    if phase.startswith("train:"):
        return ["train", "--set", phase.removeprefix("train:")]
    return {
        "generate": [
            "generate",
            str(corpus),
            "--preset",
            args.preset,
            "--pipelines",
            str(pipelines),
            "--seed",
            str(args.seed),
        ],
        "load": ["load", str(corpus / "stores"), *(["--bulk"] if args.bulk else [])],
        "graphlets": ["graphlets"],
        "features": ["features", "--no-cache"],
        "evaluate": [
            "evaluate",
            "--seeds",
            str(args.eval_seeds),
            "--latent",
            str(corpus / "latent.csv"),
            "--out",
            str(run_dir / "predictor"),
        ],
        "predict": ["predict"],
        "report": ["report", "--out", str(run_dir / "report")],
    }[phase]


def choose_phases(spec: str) -> list[str]:
    wanted = {p.strip() for p in spec.split(",") if p.strip()}
    if "train" in wanted:
        wanted = (wanted - {"train"}) | {p for p in PHASES if p.startswith("train:")}
    unknown = wanted - set(PHASES)
    if unknown:
        raise SystemExit(f"unknown phase(s) {', '.join(sorted(unknown))}; choose from train, {', '.join(PHASES)}")
    return [p for p in PHASES if p in wanted]


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def run_size(
    pipelines: int, phases: list[str], args: argparse.Namespace, runner: Runner, server: ManagedServer, home: Path
) -> Size:
    corpus = home / "corpora" / f"{args.preset}-{pipelines}-s{args.seed}"
    run_dir = home / "runs" / str(pipelines)
    size = Size(pipelines=pipelines, corpus=str(corpus))
    fresh = "load" in phases  # without the load phase, the phases continue on the graph the home holds
    log(f"{pipelines} pipelines: starting Neo4j on {'a new database' if fresh else 'the graph of the previous run'}")
    runner.run(["neo4j", "stop"], run_dir / "setup-stop")  # a server left running by an interrupted run
    if fresh:
        shutil.rmtree(server.data_dir, ignore_errors=True)
    size.start_seconds = runner.run(["neo4j", "start"], run_dir / "setup-start").seconds
    size.neo4j_start_hwm_kib = neo4j_peak_kib(server)[0]
    if "generate" in phases:
        shutil.rmtree(corpus, ignore_errors=True)
    elif not (corpus / "manifest.json").exists():
        raise PhaseFailed(f"no corpus in {corpus}: add the generate phase")
    for phase in phases:
        log(f"{pipelines} pipelines: {phase}")
        argv = phase_argv(phase, pipelines, corpus, run_dir, args)
        size.phases[phase] = runner.run(argv, run_dir / phase.replace(":", "-"))
    size.neo4j_hwm_kib = neo4j_peak_kib(server)[0]
    status = server.status()
    size.neo4j_memory = f"heap {status.heap}, page cache {status.pagecache}"
    manifest = json.loads((corpus / "manifest.json").read_text())
    size.executions, size.mlmd_bytes = int(manifest["counts"]["Execution"]), int(manifest["bytes"])
    with Warehouse.connect() as wh:
        size.nodes, size.relationships = graph_elements(wh)
        _, rows, _ = wh.read_text("MATCH (g:Graphlet) RETURN count(g) AS n")
    size.graphlets = int(rows[0]["n"]) or int(manifest["graphlets"])  # the manifest's trainer runs before graphlets
    size.stop_seconds = runner.run(["neo4j", "stop"], run_dir / "teardown-stop").seconds
    size.neo4j_store_bytes = dir_bytes(server.data_dir / "databases" / "neo4j")
    size.neo4j_data_bytes = dir_bytes(server.data_dir)
    if args.delete_corpora:
        shutil.rmtree(corpus, ignore_errors=True)
    return size


@dataclass
class Fit:
    """log(y) = log_coef + exponent * log(graphlets), least squares."""

    exponent: float
    log_coef: float

    def at(self, graphlets: float) -> float:
        return math.exp(self.log_coef + self.exponent * math.log(graphlets))


def fit(xs: list[float], ys: list[float]) -> Fit | None:
    import numpy as np

    pts = [(x, y) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    exponent, log_coef = np.polyfit(np.log([x for x, _ in pts]), np.log([y for _, y in pts]), 1)
    return Fit(float(exponent), float(log_coef))


def _mib(kib: float) -> str:
    return f"{kib / 1024:,.0f}"


def print_size(console: Console, s: Size) -> None:
    t = Table(
        title=f"{s.pipelines} pipelines: {s.graphlets:,} graphlets, {s.executions:,} executions, "
        f"{s.nodes:,} nodes + {s.relationships:,} relationships; MLMD {s.mlmd_bytes / 1e6:,.1f} MB, "
        f"Neo4j store {s.neo4j_store_bytes / 1e6:,.1f} MB, Neo4j VmHWM {_mib(s.neo4j_hwm_kib)} MiB "
        f"({_mib(s.neo4j_start_hwm_kib)} after start; {s.neo4j_memory})"
    )
    t.add_column("phase")
    t.add_column("seconds", justify="right")
    t.add_column("peak RSS MiB", justify="right")
    for name, m in s.phases.items():
        t.add_row(name, f"{m.seconds:,.1f}", _mib(m.peak_rss_kib))
    t.add_row(
        "end to end",
        f"{s.total_seconds:,.1f}",
        _mib(max((m.peak_rss_kib for m in s.phases.values()), default=0)),
        style="bold",
    )
    t.add_row("(Neo4j start / stop, not counted)", f"{s.start_seconds:,.1f} / {s.stop_seconds:,.1f}", "-", style="dim")
    console.print(t)


def summarize(console: Console, sizes: list[Size], args: argparse.Namespace) -> dict[str, Any]:
    """Print the summary; return the fits and goals for the JSON."""
    t = Table(
        title=f"End to end per size (preset {args.preset}, seed {args.seed}; phases only, server start not counted)"
    )
    for c in (
        "pipelines",
        "graphlets",
        "executions",
        "nodes",
        "relationships",
        "MLMD MB",
        "Neo4j store MB",
        "Neo4j VmHWM MiB",
        "end-to-end s",
    ):
        t.add_column(c, justify="right")
    for s in sizes:
        t.add_row(
            f"{s.pipelines:,}",
            f"{s.graphlets:,}",
            f"{s.executions:,}",
            f"{s.nodes:,}",
            f"{s.relationships:,}",
            f"{s.mlmd_bytes / 1e6:,.1f}",
            f"{s.neo4j_store_bytes / 1e6:,.1f}",
            _mib(s.neo4j_hwm_kib),
            f"{s.total_seconds:,.1f}",
        )
    console.print(t)

    xs = [float(s.graphlets) for s in sizes]
    names = list(sizes[0].phases)
    measured_bench = next((s for s in sizes if args.preset == "bench" and s.pipelines == BENCH_PIPELINES), None)
    bench_x = float(measured_bench.graphlets if measured_bench else BENCH_GRAPHLETS)
    paper_x = float(args.paper_graphlets)
    fits = {n: fit(xs, [s.phases[n].seconds for s in sizes]) for n in names}
    rss_fits = {n: fit(xs, [float(s.phases[n].peak_rss_kib) for s in sizes]) for n in names}
    extra = {
        "whole job (own fit)": fit(xs, [s.total_seconds for s in sizes]),
        "Neo4j VmHWM (MiB)": fit(xs, [s.neo4j_hwm_kib / 1024 for s in sizes]),
        "Neo4j store (MB)": fit(xs, [s.neo4j_store_bytes / 1e6 for s in sizes]),
        "MLMD stores (MB)": fit(xs, [s.mlmd_bytes / 1e6 for s in sizes]),
    }
    result: dict[str, Any] = {
        "bench_graphlets": bench_x,
        "bench_measured": measured_bench is not None,
        "paper_graphlets": paper_x,
        "fits": {k: asdict(v) if v else None for k, v in {**fits, **extra}.items()},
        "rss_fits": {k: asdict(v) if v else None for k, v in rss_fits.items()},
    }
    if not all(fits.values()):
        console.print(
            "[yellow]fewer than two sizes with distinct graphlet counts: no growth fits, no extrapolation[/yellow]"
        )
        return result
    if args.preset != "bench":
        console.print(
            f"[yellow]preset {args.preset} shrinks lifespans and cadences: its extrapolation to bench and "
            "paper scale only exercises the code[/yellow]"
        )

    bench_label = f"at bench, {bench_x:,.0f} graphlets" + ("" if measured_bench else " (extrapolated)")
    f = Table(
        title=f"Growth fits, log(seconds) vs log(graphlets) over {len(sizes)} sizes "
        f"({min(xs):,.0f}–{max(xs):,.0f} graphlets); EXTRAPOLATED beyond them"
    )
    for c in (
        "phase",
        "exponent",
        f"s {bench_label}",
        f"s at paper, {paper_x:,.0f} graphlets (extrapolated)",
        "peak RSS MiB at paper (extrapolated)",
    ):
        f.add_column(c, justify="left" if c == "phase" else "right")
    bench_sum = paper_sum = 0.0
    for n in names:
        ft, rf = fits[n], rss_fits[n]
        assert ft is not None
        at_bench = measured_bench.phases[n].seconds if measured_bench else ft.at(bench_x)
        bench_sum, paper_sum = bench_sum + at_bench, paper_sum + ft.at(paper_x)
        f.add_row(
            n, f"{ft.exponent:.2f}", f"{at_bench:,.0f}", f"{ft.at(paper_x):,.0f}", _mib(rf.at(paper_x)) if rf else "-"
        )
    if measured_bench:
        bench_sum = measured_bench.total_seconds
    f.add_row("whole job (sum of phases)", "-", f"{bench_sum:,.0f}", f"{paper_sum:,.0f}", "-", style="bold")
    own = extra["whole job (own fit)"]
    if own:
        f.add_row(
            "whole job (own fit, check)",
            f"{own.exponent:.2f}",
            f"{own.at(bench_x):,.0f}",
            f"{own.at(paper_x):,.0f}",
            "-",
            style="dim",
        )
    console.print(f)

    m = Table(title="Neo4j memory and store vs graphlets (EXTRAPOLATED beyond the measured sizes)")
    for c in ("quantity", "exponent", bench_label, "at paper (extrapolated)"):
        m.add_column(c, justify="left" if c == "quantity" else "right")
    for k in ("Neo4j VmHWM (MiB)", "Neo4j store (MB)", "MLMD stores (MB)"):
        q = extra[k]
        if q:
            m.add_row(k, f"{q.exponent:.2f}", f"{q.at(bench_x):,.0f}", f"{q.at(paper_x):,.0f}")
    console.print(m)
    plan = _memory_plan()
    console.print(
        f"Neo4j heap {plan.heap} (pre-touched at start), page cache {plan.pagecache} ({plan.reason}): its "
        "RSS cannot grow much past their sum, whatever the fit says."
    )

    console.print(
        "Fixed start-up costs (Python imports, a cold Neo4j at each size) flatten the exponent of "
        "phases that take only a few seconds at the measured sizes."
    )
    caveat = "" if args.preset == "bench" else f" [preset {args.preset}: not an estimate]"
    bench_how = "measured" if measured_bench else "EXTRAPOLATED"
    bench_met = bench_sum <= GOAL_BENCH_S
    paper_met = paper_sum <= GOAL_PAPER_S
    console.print(
        f"bench goal (≤ {GOAL_BENCH_S / 60:.0f} min at {BENCH_PIPELINES} pipelines): {bench_sum:,.0f} s "
        f"({bench_how}) — {'met' if bench_met else 'MISSED'}{caveat}",
        markup=False,
    )
    console.print(
        f"paper goal (≤ {GOAL_PAPER_S / 3600:.0f} h at 3,000 pipelines, {paper_x:,.0f} graphlets): "
        f"{paper_sum:,.0f} s = {paper_sum / 3600:.2f} h (EXTRAPOLATED from {len(sizes)} sizes up to "
        f"{max(xs):,.0f} graphlets) — {'met' if paper_met else 'MISSED'}{caveat}",
        markup=False,
    )
    result["goals"] = {
        "bench": {"seconds": bench_sum, "how": bench_how.lower(), "goal_seconds": GOAL_BENCH_S, "met": bench_met},
        "paper": {"seconds": paper_sum, "how": "extrapolated", "goal_seconds": GOAL_PAPER_S, "met": paper_met},
    }
    return result


def plot(sizes: list[Size], summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    xs = [float(s.graphlets) for s in sizes]
    paper_x, bench_x = float(summary["paper_graphlets"]), float(summary["bench_graphlets"])
    grid = [float(g) for g in np.geomspace(min(xs), max(paper_x, max(xs)), 60)]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(15, 6.5), width_ratios=(3, 2))
    cmap = plt.get_cmap("tab20")
    series = [(n, [s.phases[n].seconds for s in sizes]) for n in sizes[0].phases]
    series.append(("whole job (own fit)", [s.total_seconds for s in sizes]))
    for i, (name, ys) in enumerate(series):
        color = "black" if name.startswith("whole") else cmap(i % 20)
        ft = summary["fits"].get(name)
        label = name if ft is None else f"{name} (exponent {ft['exponent']:.2f})"
        ax.plot(xs, ys, "o", color=color, ms=4, label=label)
        if ft is not None:
            f = Fit(**ft)
            ax.plot(grid, [f.at(g) for g in grid], "--", color=color, lw=2 if name.startswith("whole") else 1)
    for ax_ in (ax, ax2):
        ax_.axvline(bench_x, color="grey", lw=0.8, ls=":")
        ax_.axvline(paper_x, color="grey", lw=0.8, ls=":")
        ax_.set_xscale("log")
        ax_.set_yscale("log")
        ax_.set_xlabel("graphlets")
    ax.axhline(GOAL_BENCH_S, color="tab:orange", lw=0.8)
    ax.axhline(GOAL_PAPER_S, color="tab:red", lw=0.8)
    ax.text(paper_x, GOAL_BENCH_S, "10 min goal (bench) ", ha="right", va="bottom", fontsize=8)
    ax.text(paper_x, GOAL_PAPER_S, "1 h goal (paper) ", ha="right", va="bottom", fontsize=8)
    for x, label in ((bench_x, " bench"), (paper_x, " paper")):
        ax2.text(x, 1.0, label, transform=ax2.get_xaxis_transform(), va="top", fontsize=8)
        ax.text(x, 1.0, label, transform=ax.get_xaxis_transform(), va="top", fontsize=8)
    ax.set_ylabel("wall seconds")
    ax.set_title(
        "Phase time vs graphlets: points measured, dashed least-squares fits (extrapolated past the last point)",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="lower left")
    for key, ys, color in (
        ("Neo4j VmHWM (MiB)", [s.neo4j_hwm_kib / 1024 for s in sizes], "tab:blue"),
        ("Neo4j store (MB)", [s.neo4j_store_bytes / 1e6 for s in sizes], "tab:green"),
        ("MLMD stores (MB)", [s.mlmd_bytes / 1e6 for s in sizes], "tab:purple"),
    ):
        ax2.plot(xs, ys, "o", color=color, ms=4, label=key)
        if summary["fits"].get(key):
            f = Fit(**summary["fits"][key])
            ax2.plot(grid, [f.at(g) for g in grid], "--", color=color, lw=1)
    ax2.set_title("Neo4j memory and sizes (dashed: fits, extrapolated)", fontsize=9)
    ax2.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pipelines", default="30,75,150,300", help="comma list of pipeline counts (sizes)")
    ap.add_argument("--preset", default="bench", help="generator preset (tiny, small, bench, paper)")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed")
    ap.add_argument("--phases", default=",".join(PHASES), help="comma list of phases ('train' = every train:SET)")
    ap.add_argument("--eval-seeds", type=int, default=1, help="mlprov evaluate --seeds")
    ap.add_argument("--paper-graphlets", type=int, default=PAPER_GRAPHLETS, help="graphlets at paper scale")
    ap.add_argument("--home", type=Path, default=None, help="MLPROV_HOME of this run (default: a new temp dir)")
    ap.add_argument("--out", type=Path, default=None, help="where the JSON and PNG go (default: the home)")
    ap.add_argument("--mlprov", default=None, help="the mlprov executable (default: beside this Python)")
    ap.add_argument(
        "--transactional", dest="bulk", action="store_false", help="first load without --bulk (default: --bulk)"
    )
    ap.add_argument("--delete-corpora", action="store_true", help="delete each corpus once its size is measured")
    args = ap.parse_args()
    console = Console(width=150)
    sizes_wanted = sorted({int(p) for p in args.pipelines.split(",") if p.strip()})
    phases = choose_phases(args.phases)
    home = (args.home or Path(tempfile.mkdtemp(prefix="mlprov-e2e-"))).resolve()
    if home.exists() and any(home.iterdir()) and not (home / MARKER).exists():
        raise SystemExit(
            f"{home} is not empty and was not made by this benchmark: its Neo4j graph would be wiped; "
            "pass a new or empty --home"
        )
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).touch()
    out_dir = (args.out or home).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    beside = Path(sys.executable).parent / "mlprov"
    mlprov = args.mlprov or (str(beside) if beside.exists() else shutil.which("mlprov"))
    if not mlprov:
        raise SystemExit("no mlprov executable found: pass --mlprov")

    for key in FOREIGN_ENV:  # this process connects too (graph counts): same server as the commands
        os.environ.pop(key, None)
    os.environ["MLPROV_HOME"] = str(home)
    runner = Runner(mlprov, dict(os.environ, COLUMNS="160"))
    notes: list[str] = []
    if "report" in phases and not runner.works(["report", "--help"]):
        phases.remove("report")
        notes.append("`mlprov report --help` fails (not built yet?): the report phase is skipped")
        console.print(f"[yellow]note: {notes[-1]}[/yellow]")
    console.print(
        f"MLPROV_HOME={home}; sizes {sizes_wanted}; preset {args.preset}, seed {args.seed}; phases: "
        f"{', '.join(phases)}; {os.cpu_count()} CPUs"
    )

    server = ManagedServer(home)
    sizes: list[Size] = []
    failure: str | None = None
    started = time.perf_counter()
    try:
        for n in sizes_wanted:
            sizes.append(run_size(n, phases, args, runner, server, home))
            print_size(console, sizes[-1])
    except PhaseFailed as exc:
        failure = str(exc)
    finally:
        server.stop()  # after a failure (each size stops it itself)
    summary = summarize(console, sizes, args) if sizes else {}
    plan = _memory_plan()
    record = {
        "config": {
            **{k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "home": str(home),
            "phases_run": phases,
            "cpus": os.cpu_count(),
            "neo4j_heap": plan.heap,
            "neo4j_pagecache": plan.pagecache,
        },
        "notes": notes,
        "failure": failure,
        "sizes": [{**asdict(s), "total_seconds": s.total_seconds} for s in sizes],
        "summary": summary,
        "benchmark_seconds": time.perf_counter() - started,
    }
    json_path = out_dir / "end_to_end.json"
    json_path.write_text(json.dumps(record, indent=2) + "\n")
    console.print(f"measurements: {json_path}")
    if sizes:
        png = out_dir / "end_to_end.png"
        plot(sizes, summary, png)
        console.print(f"plot: {png}")
    if failure:
        console.print(f"end-to-end benchmark stopped: {failure}", style="red", markup=False, highlight=False)
        raise SystemExit(1)
    log(f"benchmark took {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
