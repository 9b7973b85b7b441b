"""The ``mlprov`` command line."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mlprov import console
from mlprov.console import err, out
from mlprov.errors import MlprovError, ServerLostError, SourceError
from mlprov.loader import migrate as migration
from mlprov.loader.load import (
    DEFAULT_BATCH,
    DEFAULT_PRUNE_GUARD,
    LoadReport,
    check_source,
    incomplete_stores,
    load_all,
    store_name_for,
)
from mlprov.loader.migrate import connect
from mlprov.loader.model import MODEL_VERSION
from mlprov.loader.operators import OperatorMap
from mlprov.loader.sources import expand_sources, redact
from mlprov.locks import lock_scope, store_locks
from mlprov.progress import TableProgress
from mlprov.server import ManagedServer, jar_dir

app = typer.Typer(
    help="mlprov: an ML provenance warehouse on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
neo4j_app = typer.Typer(help="The managed local Neo4j 5.26 server (machines without Docker).", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the managed server (downloads it with Maven on first use); report it if running."""
    server = ManagedServer()
    first = not (jar_dir() / ".complete").exists()
    if first:
        err.print("Resolving Neo4j from Maven Central (first start only)...")
    t0 = time.monotonic()
    status, started = server.start()
    verb = f"started in {time.monotonic() - t0:.1f}s" if started else "already running"
    out.print(f"Neo4j {status.version} {verb}: {status.uri} (HTTP {status.http_uri}), home {status.home}")
    out.print(f"Password file: {server.password_file} (owner-only)")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the managed server cleanly (checkpoint on shutdown)."""
    server = ManagedServer()
    out.print("Neo4j stopped." if server.stop() else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """URI, version, pid, store size, heap and page cache (and why) of the managed server (exit 1 when not running)."""
    status = ManagedServer().status()
    if as_json:
        out.print_json(json.dumps(status.as_dict()))
    else:
        table = Table(show_header=False)
        for key, value in status.as_dict().items():
            table.add_row(key, str(value))
        out.print(table)
    if not status.running:
        raise typer.Exit(1)


@neo4j_app.command("dump")
def neo4j_dump(
    target: Annotated[Path, typer.Argument(metavar="FILE", help="The dump file to write (must not exist).")],
) -> None:
    """Back the warehouse up: neo4j-admin database dump of the managed server (stopped meanwhile)."""
    size = ManagedServer().dump(target)
    out.print(f"Dumped the warehouse to {target} ({size / 1e6:,.1f} MB).")


@neo4j_app.command("restore")
def neo4j_restore(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="A dump written by `mlprov neo4j dump`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm replacing the whole warehouse.")] = False,
) -> None:
    """Replace the warehouse by a dump (neo4j-admin database load), then start the server."""
    if not yes:
        raise typer.BadParameter("refusing to replace the warehouse without --yes", param_hint="'--yes'")
    ManagedServer().restore(source)
    out.print(f"Restored the warehouse from {source}; Neo4j is running.")


@neo4j_app.command("logs")
def neo4j_logs(lines: Annotated[int, typer.Option("-n", help="How many lines.")] = 50) -> None:
    """The last lines of the managed server's neo4j.log."""
    for line in ManagedServer().log_lines(lines):
        out.print(line, markup=False, highlight=False)


def _print_report(report: LoadReport) -> None:
    if report.up_to_date:
        out.print(f"[green]{report.store}[/green]: up to date ({report.source}, {report.seconds:.2f}s)")
        return
    table = Table(
        title=f"{report.store} ← {report.source} (MLMD v{report.schema_version})"
        f"{' [resumed]' if report.resumed else ''}"
    )
    for col in ("table", "written", "dangling (skipped)"):
        table.add_column(col, justify="right" if col != "table" else "left")
    for name, rows in report.rows.items():
        table.add_row(name, f"{rows:,}", f"{report.dangling.get(name, 0):,}")
    rate = report.elements / report.seconds if report.seconds else 0.0
    table.caption = f"{report.elements:,} graph elements in {report.seconds:.2f}s ({rate:,.0f}/s)" + (
        f"; pruned {report.pruned:,}" if report.pruned else ""
    )
    if report.steps_done_before:
        table.caption += f"; done before the interruption, not redone: {', '.join(report.steps_done_before)}"
    out.print(table)


@app.command()
def load(
    sources: Annotated[
        list[str], typer.Argument(metavar="SOURCE", help="MLMD SQLite files, directories of them, or mysql:// URLs.")
    ],
    store_name: Annotated[str | None, typer.Option("--store-name", help="Store name (one source only).")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per transaction.")] = DEFAULT_BATCH,
    replace: Annotated[bool, typer.Option("--replace", help="Drop the store's graph and load it anew.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete elements whose rows vanished from the source.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Prune even above the guard share.")] = False,
    prune_guard: Annotated[
        float, typer.Option("--prune-guard", help="Largest share --prune may delete.")
    ] = DEFAULT_PRUNE_GUARD,
    operators: Annotated[str | None, typer.Option("--operators", help="TOML file extending the operator map.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Stores loaded at once, each in its own sessions (independent stores: a sharded corpus).",
        ),
    ] = 1,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="First load of large stores into an EMPTY warehouse of the managed server through "
            "neo4j-admin import (2.5x the transactional load on the bench store; the server restarts). "
            "Later reloads: plain `load`.",
        ),
    ] = False,
) -> None:
    """Load MLMD stores into Neo4j (incremental: a reload reads only what is new or changed).

    Use --bulk for the first load of large stores (millions of rows) into an empty warehouse of the
    managed server: same graph, written by Neo4j's bulk importer. Afterwards reload without --bulk.
    """
    specs = expand_sources(sources)
    op_map = OperatorMap.load(Path(operators) if operators else None)
    if bulk:
        _bulk_load(specs, store_name, op_map, replace=replace, prune=prune)
        return
    with connect() as wh:
        for spec in specs:
            err.print(f"Loading {redact(spec)} as store {store_name or store_name_for(spec)!r}")
        with TableProgress(err, "load") as progress:
            load_all(
                wh,
                specs,
                store=store_name,
                batch_size=batch_size,
                operators=op_map,
                observer=progress,
                replace=replace,
                prune=prune,
                force=force,
                prune_guard=prune_guard,
                on_report=_print_report,
                workers=workers,
            )


def _bulk_load(specs: list[str], store_name: str | None, op_map: OperatorMap, *, replace: bool, prune: bool) -> None:
    from mlprov.loader.bulk import bulk_load

    if replace or prune:
        raise typer.BadParameter("--bulk loads into an empty warehouse: --replace and --prune are for reloads")
    for spec in specs:
        err.print(f"Bulk loading {redact(spec)} as store {store_name or store_name_for(spec)!r}")
    with TableProgress(err, "csv") as progress:
        reports = bulk_load(
            specs,
            store=store_name,
            operators=op_map,
            observer=progress,
            on_phase=lambda msg: err.print(msg, markup=False, highlight=False),
        )
    for report in reports:
        _print_report(report)


@app.command()
def stores(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """The loaded MLMD stores with source, schema version, counts and last load time."""
    with connect() as wh:
        rows = wh.read("load/stores")
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table(title="Loaded MLMD stores (sources: --json)")
    for col in ("name", "v", "status", "executions", "artifacts", "contexts", "events", "dangling", "loaded"):
        table.add_column(col, justify="left" if col in ("name", "status") else "right")
    for row in rows:
        loaded = time.strftime("%m-%d %H:%M", time.localtime(row["loaded_at"] / 1000)) if row["loaded_at"] else "-"
        counts = [f"{row[c] or 0:,}" for c in ("executions", "artifacts", "contexts", "events", "dangling")]
        table.add_row(str(row["name"]), str(row["schema_version"]), str(row["status"]), *counts, loaded)
    out.print(table)


@app.command()
def reset(yes: Annotated[bool, typer.Option("--yes", help="Confirm deleting the whole graph.")] = False) -> None:
    """Delete every node and relationship of the warehouse (constraints stay)."""
    if not yes:
        raise typer.BadParameter("refusing to wipe the warehouse without --yes", param_hint="'--yes'")
    with console.connect() as wh:  # any graph model: an emptied warehouse has none
        wh.run_batched("admin/clear_graph")
    out.print("Warehouse emptied.")


@app.command()
def migrate(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list the steps it would run.")] = False,
) -> None:
    """Bring a warehouse written by an older mlprov to this release's graph model (idempotent)."""

    def done(step: migration.Step, seconds: float) -> None:
        what = step.query.purpose.split(". ")[0]
        out.print(f"{step.query.name}: {what} ({seconds:.1f}s)", markup=False, highlight=False, soft_wrap=True)

    with console.connect() as wh:  # not the checking connect: it refuses exactly the graphs migrated here
        where = f"The warehouse at {wh.connection.uri}"
        todo = migration.plan(wh)
        if todo.version is None:
            out.print(f"{where} is empty: nothing to migrate (a load writes graph model version {MODEL_VERSION}).")
            return
        if todo.steps and dry_run:
            out.print(f"{where} has graph model version {todo.version}; `mlprov migrate` would run:")
            for step in todo.steps:
                out.print(f"  {step.query.name}: {step.query.purpose}", markup=False, highlight=False, soft_wrap=True)
            return
        if todo.steps:
            todo = migration.migrate(wh, on_step=done)
    if todo.steps:
        out.print(f"{where} is now at graph model version {MODEL_VERSION} (was {todo.version}).")
    else:
        out.print(f"{where} is already at graph model version {MODEL_VERSION}: nothing to do.")


class _CountProgress:
    """Progress for work counted in items (pipelines generated, trainers processed)."""

    def __init__(self, progress: TableProgress, label: str) -> None:
        self._progress, self._label, self._done = progress, label, 0

    def __call__(self, done: int, total: int) -> None:
        if self._done == 0 and done <= total:
            self._progress.begin(self._label, total)
        self._progress.advance(self._label, done - self._done)
        self._done = done


def _check_preset(preset: str) -> None:
    from mlprov.generator.presets import PRESETS

    if preset not in PRESETS:
        raise typer.BadParameter(
            f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}", param_hint="'--preset'"
        )


@app.command()
def generate(
    out_dir: Annotated[
        Path, typer.Argument(metavar="OUT_DIR", help="Directory for stores/, latent.csv and manifest.json.")
    ],
    preset: Annotated[str, typer.Option("--preset", help="tiny | small | bench | paper.")] = "small",
    pipelines: Annotated[int | None, typer.Option("--pipelines", min=1, help="Override the pipeline count.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same corpus.")] = 0,
    shards: Annotated[
        int | None,
        typer.Option("--shards", min=1, help="MLMD store files, written in parallel (default: the preset's)."),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Only recompute the calibration table of OUT_DIR.")] = False,
) -> None:
    """Write a synthetic MLMD corpus calibrated to the study (or --check an existing one)."""
    from mlprov.generator.check import check as run_check
    from mlprov.generator.check import format_check_table
    from mlprov.generator.corpus import generate as run_generate

    _check_preset(preset)
    from mlprov.generator.presets import get_preset

    if not check:
        with TableProgress(err, "generate") as progress:
            manifest = run_generate(
                out_dir,
                preset,
                pipelines=pipelines,
                seed=seed,
                shards=shards if shards is not None else get_preset(preset).default_shards,
                progress=_CountProgress(progress, "pipelines"),
            )
        out.print(
            f"{manifest.pipelines} pipelines, {manifest.graphlets:,} trainer runs "
            f"({manifest.pushed:,} pushed) in {len(manifest.stores)} store(s), "
            f"{manifest.bytes / 1e6:.1f} MB, {manifest.generation_seconds:.1f}s → {out_dir}"
        )
    try:
        table = run_check(out_dir)
    except FileNotFoundError as exc:  # no corpus there: one line, not a traceback
        raise SourceError(f"{out_dir}: cannot check the corpus: {exc}") from exc
    out.print(format_check_table(table))


@app.command()
def graphlets(
    store: Annotated[str | None, typer.Option("--store", help="Only this store.")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Only this pipeline.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-derive even stores unchanged since the last run.")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Trainers per traversal batch.")] = 200,
) -> None:
    """Build model graphlets, their costs, `pushed` and :NEXT links (incremental)."""
    from mlprov.graphlets.builder import build_graphlets

    with (
        connect() as wh,
        store_locks(wh, lock_scope(wh, store), "graphlets"),
        TableProgress(err, "graphlets") as progress,
    ):
        report = build_graphlets(
            wh,
            store=store,
            pipeline=pipeline,
            force=force,
            batch_size=batch_size,
            observer=progress,
        )
    for line in report.incomplete:
        err.print(f"mlprov: warning: {line}", markup=False, highlight=False)
    out.print(
        f"{report.graphlets:,} graphlets ({report.created:,} created, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged, {report.deleted:,} deleted), {report.pushed:,} pushed, "
        f"{report.next_linked:,} NEXT links, {report.seconds:.1f}s"
    )
    if report.scoped_pipelines:
        err.print(f"[dim]changed stores: rebuilt only the {report.scoped_pipelines:,} pipeline(s) they changed[/dim]")


@app.command()
def report(
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Directory for report.md/.html, summary.json and the PNG plots.")
    ] = None,
    store: Annotated[str | None, typer.Option("--store", help="Only this store.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """The study's analyses of the corpus: a summary beside the study's figures and a report with plots."""
    from rich.progress import Progress

    from mlprov.analysis.corpus import run_analytics
    from mlprov.analysis.report import write_report
    from mlprov.settings import mlprov_home

    target = out_dir or mlprov_home() / "reports" / "corpus"
    with connect() as wh, Progress(console=err, transient=True) as progress:
        task = progress.add_task("analytics", total=None)
        result = run_analytics(wh, store=store, progress=lambda name: progress.update(task, description=name))
        skipped = incomplete_stores(wh, store)
    for line in skipped:  # the analytics count completely loaded stores only
        err.print(f"mlprov: warning: {line}", markup=False, highlight=False)
    if result["graphlets"].empty:
        raise MlprovError("the warehouse has no model graphlets: run `mlprov load` and `mlprov graphlets` first")
    if not result.has_similarity:
        err.print("[yellow]note:[/yellow] no similarities on the :NEXT links yet: run `mlprov features` first")
    paths = write_report(result, target)
    if as_json:
        out.print_json(json.dumps([f.as_dict() for f in result.figures]))
    else:
        table = Table(title=f"Corpus analytics ({store or 'all stores'}) beside the study")
        for col in ("section", "statistic", "ours", "study"):
            table.add_column(col, justify="right" if col in ("ours", "study") else "left")
        for f in result.figures:
            table.add_row(f.section, f.statistic, f.formatted(), f.study)
        out.print(table)
    err.print(f"Report: {paths['html']} (also {paths['md'].name}, {paths['json'].name} and plots in {target})")


@app.command()
def demo(
    preset: Annotated[str, typer.Option("--preset", help="Corpus size to generate.")] = "small",
    fixtures: Annotated[Path | None, typer.Option("--fixtures", help="Also load these real MLMD stores.")] = None,
) -> None:
    """End to end: start Neo4j, generate a corpus, load it, build graphlets, features, train, evaluate, predict."""
    from mlprov.settings import mlprov_home

    _check_preset(preset)
    if not os.environ.get("NEO4J_URI"):
        status, started = ManagedServer().start()
        out.print(f"Neo4j {status.version} {'started' if started else 'running'} at {status.uri}")
    corpus = mlprov_home() / "demo" / preset
    if not (corpus / "manifest.json").exists():
        generate(corpus, preset=preset)
    sources = [str(corpus / "stores")]
    if fixtures is None:
        default = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "mlmd"
        fixtures = default if default.exists() else None
    for spec in expand_sources([str(fixtures)]) if fixtures is not None else []:
        try:
            check_source(spec)
        except MlprovError as exc:  # the demo shows what loads; `mlprov load` refuses the whole batch
            err.print(f"[yellow]skipping[/yellow] {exc}", markup=True, highlight=False)
            continue
        sources.append(spec)
    # the commands themselves, each with its own defaults: the demo is what a user would type
    load(sources)
    graphlets()
    stores()
    features_command()
    train_command()
    evaluate_command(seeds=3, latent=corpus / "latent.csv", out_dir=mlprov_home() / "demo" / "report")
    predict_command(limit=5)
    report()
    status = ManagedServer().status()
    out.print("\nNext:")
    out.print("  Browse it:      mlprov app        (Streamlit on http://127.0.0.1:8501)")
    out.print("  Ask it:         mlprov query --list ;  mlprov query pipelines")
    out.print("  Large stores:   mlprov load --bulk DIR   (first load into an empty warehouse; see docs/loading.md)")
    if status.http_uri:
        out.print(
            f"  Neo4j Browser:  {status.http_uri}/browser/  (user neo4j, password in {ManagedServer().password_file})"
        )


def main() -> None:
    """Entry point: one clear line and a non-zero exit for every known failure."""
    try:
        app()  # standalone: usage errors print the usage line and one error line, exit 2
    except MlprovError as exc:
        # a lost managed server may have lost its disk: say so on the same line
        lost = isinstance(exc, ServerLostError) and not os.environ.get("NEO4J_URI")
        note = ManagedServer().disk_full_note() if lost else ""
        typer.echo(f"mlprov: error: {exc}{'; ' + note if note else ''}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("mlprov: interrupted")
        sys.exit(130)


# The analysts' commands (issue 8): query, lineage, live, export.
from mlprov.analysis.commands import export_command, lineage_command, live_command, query_command  # noqa: E402

app.command(name="query")(query_command)
app.command(name="lineage")(lineage_command)
app.command(name="live")(live_command)
app.command(name="export")(export_command)

# The Streamlit app (issue 9). The typer object here is `app`, so the command is imported under another name.
from mlprov.app.cli import app_command as _app_command  # noqa: E402

app.command(name="app")(_app_command)

# The push predictor's commands (issue 7): features, train, evaluate, predict.
from mlprov.features.cli import evaluate_command, features_command, predict_command, train_command  # noqa: E402

app.command(name="features")(features_command)
app.command(name="train")(train_command)
app.command(name="evaluate")(evaluate_command)
app.command(name="predict")(predict_command)
