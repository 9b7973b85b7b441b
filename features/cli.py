"""The predictor's commands: ``mlprov features``, ``train``, ``evaluate``, ``predict``.

Registered at the end of :mod:`mlprov.cli` (``app.command(name=...)(...)``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mlprov.console import err, out
from mlprov.db import Warehouse
from mlprov.errors import IncompleteStoreError
from mlprov.features.frame import (
    DEFAULT_K,
    FeatureFrame,
    build_frame,
    corpus_fingerprint,
    describe_sets,
    frame_keys,
    write_next_similarity,
)
from mlprov.features.registry import ABLATIONS, MAIN_SETS, SETS
from mlprov.loader.load import incomplete_stores
from mlprov.loader.migrate import connect
from mlprov.locks import lock_scope, store_locks


def _warn_incomplete(wh: Warehouse, k: int) -> None:
    """One warning line per store whose load never completed (graphlets were built only for complete
    stores); when the warehouse has no graphlets at all because of them, that is the error."""
    lines = incomplete_stores(wh)
    for line in lines:
        err.print(f"mlprov: warning: {line}", markup=False, highlight=False)
    if lines and corpus_fingerprint(wh, k)[1] == 0:
        raise IncompleteStoreError("; ".join(lines))


def _frame(wh: Warehouse, k: int, use_cache: bool = True) -> FeatureFrame:
    from rich.progress import Progress

    _warn_incomplete(wh, k)

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("features", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        ff = build_frame(wh, k=k, use_cache=use_cache, progress=step)
    n = len(ff.data)
    labelled = len(ff.labelled_rows)
    partly = (
        f" ({ff.computed:,} graphlets of changed pipelines computed, the others' rows cached)"
        if ff.computed is not None and ff.computed < n
        else ""
    )
    err.print(
        f"[dim]feature frame: {n:,} graphlets ({labelled:,} labelled, {n - labelled:,} undecided), "
        f"k={ff.k}, corpus {ff.fingerprint[:12]}{' (cached)' if ff.cached else ''}{partly}[/dim]"
    )
    return ff


K_OPTION = typer.Option("--k", min=1, max=10, help="History window: preceding graphlets compared.")


def features_command(
    k: Annotated[int, K_OPTION] = DEFAULT_K,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Recompute even when the corpus is unchanged.")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the frame as CSV to this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable set table.")] = False,
    artifact_root: Annotated[
        list[str] | None,
        typer.Option(
            "--artifact-root",
            help="OLD=NEW: read artifact files (TFDV statistics) whose URI starts with OLD under NEW instead "
            "(repeatable; kept for later commands; --artifact-root '' forgets them).",
        ),
    ] = None,
) -> None:
    """Compute the feature frame of every graphlet (cached by corpus fingerprint), keep the lag-1 similarities on
    the :NEXT links, and list the feature sets."""
    from mlprov.features.tfdv import parse_artifact_roots, store_roots

    if artifact_root is not None:
        store_roots(parse_artifact_roots([r for r in artifact_root if r]))
    with connect() as wh, store_locks(wh, lock_scope(wh), "features"):
        ff = _frame(wh, k, use_cache=not no_cache)
        changed = write_next_similarity(wh, ff.touched_rows())
    if ff.statistics is not None:
        for message in ff.statistics.unreadable:
            err.print(f"[yellow]warning:[/yellow] statistics file skipped: {escape(message)}", soft_wrap=True)
        if ff.statistics.read or ff.statistics.absent:
            missing = (
                f"; not found for {len(ff.statistics.absent):,} (first: {ff.statistics.absent[0]}; "
                "--artifact-root OLD=NEW maps moved paths)"
                if ff.statistics.absent
                else ""
            )
            err.print(f"[dim]TFDV statistics files read: {ff.statistics.read:,}{escape(missing)}[/dim]", soft_wrap=True)
    err.print(f"[dim]consecutive-graphlet similarity on :NEXT links: {changed:,} written[/dim]")
    if csv is not None:
        ff.data.to_csv(csv, index=False)
        err.print(f"frame written to {csv}")
    sets = describe_sets(ff.data, ff.k)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "graphlets": len(ff.data),
                    "labelled": len(ff.labelled_rows),
                    "fingerprint": ff.fingerprint,
                    "k": ff.k,
                    "sets": sets,
                }
            )
        )
        return
    table = Table(title=f"Feature sets ({len(ff.data):,} graphlets, {int(ff.data['pushed'].sum()):,} pushed)")
    for col in ("set", "groups", "features", "feature cost"):
        table.add_column(col, justify="left" if col in ("set", "groups") else "right")
    for s in sets:
        table.add_row(s["set"], s["groups"], str(s["features"]), f"{100 * s['feature_cost']:.1f}%")
    out.print(table)


MODEL_KINDS = ("xgboost", "rf")  # the predictor's kinds (features/predictor.py), without importing xgboost here


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in MODEL_KINDS]
    if unknown or not kinds:
        raise typer.BadParameter(
            f"unknown model kind(s) {', '.join(unknown) or repr(text)}; choose from {', '.join(MODEL_KINDS)}",
            param_hint="'--models'",
        )
    return kinds


def train_command(
    feature_set: Annotated[str, typer.Option("--set", help=f"Feature set: {', '.join(SETS)}.")] = "input",
    kind: Annotated[
        str, typer.Option("--model", help="xgboost, or rf: the study's scikit-learn Random Forest.")
    ] = "xgboost",
    seed: Annotated[int, typer.Option("--seed", help="Split and xgboost seed.")] = 0,
    k: Annotated[int, K_OPTION] = DEFAULT_K,
    full: Annotated[bool, typer.Option("--full", help="Train on every labelled graphlet (no held-out test).")] = False,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Model base path (default $MLPROV_HOME/models/…).")
    ] = None,
) -> None:
    """Train the push predictor (xgboost, or the study's Random Forest) on one feature set (split by pipeline) and
    save it (xgboost JSON or skops, never pickle)."""
    import numpy as np

    from mlprov.features.predictor import (
        balanced_accuracy,
        roc_auc,
        save_model,
        split_by_pipeline,
        train_model,
    )
    from mlprov.settings import parallel_workers

    if feature_set not in SETS:
        raise typer.BadParameter(f"unknown set {feature_set!r}; choose one of {', '.join(SETS)}", param_hint="'--set'")
    if kind not in MODEL_KINDS:
        raise typer.BadParameter(
            f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}", param_hint="'--model'"
        )
    with connect() as wh:
        ff = _frame(wh, k)
    rows = ff.labelled_rows
    if full:
        train_mask = np.ones(len(rows), dtype=bool)
        test_mask = ~train_mask
    else:
        train_mask, test_mask = split_by_pipeline(ff.labelled_columns(["store", "pipeline", "pushed"]), seed)
    model = train_model(ff, feature_set, train_mask, seed=seed, kind=kind, workers=parallel_workers())
    path = save_model(model, out_path)
    shape = (
        f"{model.params['n_estimators']} trees, min leaf {model.params['min_samples_leaf']}"
        if kind == "rf"
        else f"{model.rounds} rounds, depth {model.params['max_depth']}"
    )
    out.print(
        f"model {model.version}: {kind}, set {feature_set}, {len(model.features)} features, {shape}, "
        f"threshold {model.threshold:.3f}, trained on {model.train_graphlets:,} graphlets of "
        f"{model.train_pipelines} pipelines in {model.seconds:.1f}s"
    )
    if test_mask.any():
        test = ff.data.iloc[rows[test_mask]]
        y = test["pushed"].to_numpy(dtype=float)
        p = model.predict_proba(test)
        out.print(
            f"held-out pipelines: {len(test):,} graphlets, balanced accuracy "
            f"{balanced_accuracy(y, p >= model.threshold):.3f}, ROC-AUC {roc_auc(y, p):.3f}"
        )
    out.print(f"saved {path} (+ {json.loads(path.read_text())['model_file']})")


def evaluate_command(
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Number of pipeline splits (seeds 0..n-1).")] = 5,
    latent: Annotated[
        Path | None, typer.Option("--latent", help="The generator's latent.csv: adds the oracle row.")
    ] = None,
    sets: Annotated[str | None, typer.Option("--sets", help="Comma-separated feature sets (default: all).")] = None,
    k: Annotated[int, K_OPTION] = DEFAULT_K,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Report directory.")] = None,
    models: Annotated[
        str,
        typer.Option(
            "--models",
            help="Comma-separated model kinds, each on the same splits: xgboost (the product's predictor, the "
            "default) and rf (the study's Random Forest, rows rf:<set>; on request, since its fits cost about six "
            "times the xgboost rows': --models xgboost,rf).",
        ),
    ] = "xgboost",
) -> None:
    """The Table 3 analogue: every feature set on several pipeline splits by xgboost (and, with --models
    xgboost,rf, by the study's Random Forest), baselines, freshness–waste curve."""
    from mlprov.features.evaluation import TABLE_COLUMNS, evaluate, table_rows, targets, write_report

    chosen = tuple(s.strip() for s in sets.split(",")) if sets else (*MAIN_SETS, *ABLATIONS)
    unknown = [s for s in chosen if s not in SETS]
    if unknown:
        raise typer.BadParameter(
            f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(SETS)}", param_hint="'--sets'"
        )
    kinds = _kinds(models)
    if latent is not None and not latent.exists():
        raise typer.BadParameter(f"{latent} does not exist", param_hint="'--latent'")
    with connect() as wh:
        ff = _frame(wh, k)
    with err.status("training") as status:
        ev = evaluate(
            ff,
            sets=chosen,
            seeds=tuple(range(seeds)),
            latent=latent,
            models=kinds,
            progress=lambda msg: status.update(f"training {msg}"),
        )
    print_evaluation(ev, out, TABLE_COLUMNS, table_rows(ev), targets(ev))
    paths = write_report(ev, out_dir)
    out.print(f"curve: {paths['png']}  report: {paths['html']}  data: {paths['json']}")


def print_evaluation(
    ev: object, console: Console, columns: tuple[str, ...], rows: list[list[str]], tgts: list[tuple[str, bool, str]]
) -> None:
    from mlprov.features.evaluation import Evaluation

    assert isinstance(ev, Evaluation)
    table = Table(
        title="Push prediction (analogue of the study's Table 3)",
        caption=f"{ev.labelled:,} labelled graphlets ({ev.pushed:,} pushed) of {ev.pipelines} pipelines, "
        f"{ev.undecided:,} undecided excluded; {len(ev.seeds)} pipeline splits, test ≈ "
        f"{sum(ev.test_sizes) / len(ev.test_sizes):,.0f} graphlets; mean ± std. Study: ~50% waste removed "
        f"at 100% freshness.",
    )
    for c in columns:
        table.add_column(c, justify="left" if c in ("feature set", "model") else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if "oracle" in ev.results:
        console.print(f"oracle: latent push probability matched for {ev.oracle_matched:,} labelled graphlets")
    for t, ok, detail in tgts:
        console.print(f"{'[green]met[/green]' if ok else '[red]missed[/red]'}: {t} ({detail})")


def predict_command(
    graphlet: Annotated[list[str] | None, typer.Option("--graphlet", help="Graphlet uid (repeatable).")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Every graphlet of this pipeline.")] = None,
    model_path: Annotated[
        Path | None, typer.Option("--model", help="Model file (default: the latest trained).")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Contributions kept per graphlet.")] = 3,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows printed (all are written back).")] = 20,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Score every graphlet again; by default a pipeline whose features and model did not change since "
            "its last prediction is skipped.",
        ),
    ] = False,
) -> None:
    """Push probability, decision and top feature contributions (SHAP) for graphlets, written back to Neo4j."""
    from mlprov.features.predictor import load_model, predict

    model = load_model(model_path)
    selected = bool(graphlet) or pipeline is not None
    with connect() as wh, store_locks(wh, lock_scope(wh), "predict"):
        whole = every and not selected
        if not whole:
            _warn_incomplete(wh, model.k)  # (the whole frame's read warns)
        # every graphlet, by default only those of pipelines whose stamp changed: only their rows are read;
        # --all: the whole frame; a selection: its rows. Only the rows printed are kept, all are written back.
        keys = None if selected or every else frame_keys(wh, model.k)
        ff = _frame(wh, model.k) if whole else None
        preds, changed, scored = predict(
            wh,
            model,
            uids=graphlet or None,
            pipeline=pipeline,
            top=top,
            ff=ff,
            keys=keys,
            keep=None if selected else limit,
            changed_only=not (every or selected),
        )
    table = Table(title=f"Push predictions by {model.version} (threshold {model.threshold:.3f})")
    for c in ("graphlet", "pipeline", "pushed", "probability", "decision", "top contributions"):
        table.add_column(c, justify="right" if c in ("probability",) else "left")
    for p in preds[:limit]:
        label = "-" if math.isnan(p.pushed) else ("yes" if p.pushed else "no")
        contrib = ", ".join(f"{c['feature']} {c['contribution']:+.2f}" for c in p.contributions)
        table.add_row(
            p.uid, p.pipeline or "-", label, f"{p.push_probability:.3f}", "push" if p.push_decision else "skip", contrib
        )
    out.print(table)
    more = f" (first {limit} shown)" if scored > limit else ""
    out.print(f"{scored:,} graphlet(s) predicted{more}; {changed:,} written back (others unchanged)")
    if keys is not None and scored < keys.count:
        out.print(
            f"{keys.count - scored:,} graphlet(s) of pipelines whose features and model did not change since "
            "their last prediction were not scored again (--all scores them)"
        )
