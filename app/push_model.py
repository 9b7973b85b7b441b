"""The app's seam to the push predictor and the feature frame (``features/predictor.py``,
``features/frame.py``, issue 7): only their public functions are called.

* predict on a selection: ``predictor.load_model()`` (the latest model of ``mlprov train``) then
  ``predictor.predict(wh, model, uids=…)``, which writes the predictions back to the graphlets;
* the Graphlet page's features vs the previous graphlets: ``frame.compute_frame(wh, k=…, uids=…)``;
* the Predictor page's feature-set table: ``frame.build_frame(wh)`` (cached on disk by the
  predictor) and ``frame.describe_sets``, beside the trained models' metadata files.

When a module or function is missing, or no model is trained, the pages say so in one line.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from mlprov.db import Warehouse
from mlprov.errors import MlprovError

PREDICTOR = "mlprov.features.predictor"
FRAME = "mlprov.features.frame"
NO_MODEL = "no trained model yet: run `mlprov train`"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    frame: pd.DataFrame | None = None


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _function(module: str, name: str) -> Callable[..., Any] | None:
    mod = _module(module)
    fn = getattr(mod, name, None) if mod is not None else None
    return fn if callable(fn) else None


def frame_statements(*, uids: bool) -> tuple[str, ...]:
    """The Cypher the feature frame runs (features/frame.py) for given graphlets or all of them, shown on
    the pages that use it."""
    statements = _function(FRAME, "statements")
    return tuple(statements(uids=uids)) if statements is not None else ()


def unavailable() -> str | None:
    """Why the predictor cannot run from the app (cannot be imported, no trained model), or None.

    A predictor that fails to import is named with its import error, never passed off as "no model"."""
    try:
        importlib.import_module(PREDICTOR)
    except ImportError as exc:
        return f"the push predictor `{PREDICTOR}` cannot be imported: {exc}"
    if _function(PREDICTOR, "predict") is None or _function(PREDICTOR, "load_model") is None:
        return f"the push predictor `{PREDICTOR}` has no predict/load_model in this build"
    latest = _function(PREDICTOR, "default_model_path")
    if latest is not None:
        try:
            path = latest()
        except MlprovError:
            return NO_MODEL
        if not Path(str(path)).exists():
            return NO_MODEL
    return None


def predict(wh: Warehouse, uids: Sequence[str]) -> Outcome:
    """Run the latest trained model on these graphlets and write the predictions back."""
    why = unavailable()
    if why is not None:
        return Outcome(False, why)
    if not uids:
        return Outcome(False, "select at least one graphlet")
    load_model = _function(PREDICTOR, "load_model")
    run = _function(PREDICTOR, "predict")
    assert load_model is not None and run is not None
    try:
        model = load_model()
        preds, changed, _ = run(wh, model, uids=list(uids))
    except MlprovError as exc:
        return Outcome(False, str(exc))
    rows = []
    for p in preds:
        top = getattr(p, "contributions", None) or []
        rows.append(
            {
                "uid": getattr(p, "uid", None),
                "push_probability": getattr(p, "push_probability", None),
                "push_decision": getattr(p, "push_decision", None),
                "pushed": getattr(p, "pushed", None),
                "top_contributions": ", ".join(
                    f"{c.get('feature')} {float(c.get('contribution', 0.0)):+.3f}" for c in top if isinstance(c, dict)
                ),
            }
        )
    version = getattr(model, "version", None)
    return Outcome(
        True,
        f"predicted {len(rows)} graphlet(s) with model {version}; {changed} prediction(s) written back",
        pd.DataFrame(rows),
    )


def features_of(wh: Warehouse, uids: Sequence[str], k: int) -> Outcome:
    """The feature rows (docs/predictor.md) of these graphlets, computed from the graph."""
    compute = _function(FRAME, "compute_frame")
    if compute is None:
        return Outcome(False, f"the feature frame `{FRAME}` is not installed in this build")
    try:
        frame = compute(wh, k=k, uids=list(uids))
    except MlprovError as exc:
        return Outcome(False, str(exc))
    return Outcome(True, "", frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame))


def trained_models() -> pd.DataFrame:
    """The models ``mlprov train`` saved (their metadata JSON files; never the model code paths)."""
    models_dir = _function(PREDICTOR, "models_dir")
    rows: list[dict[str, Any]] = []
    if models_dir is not None:
        base = Path(str(models_dir()))
        latest = (base / "latest").read_text().strip() if (base / "latest").exists() else None
        for meta_path in sorted(base.glob("*.meta.json")):
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                continue
            if not isinstance(meta, dict):
                continue
            rows.append(
                {
                    "model": meta_path.name.removesuffix(".meta.json"),
                    "latest": meta_path.name == latest,
                    "feature_set": meta.get("feature_set"),
                    "features": len(meta.get("features") or []),
                    "threshold": meta.get("threshold"),
                    "validation_auc": meta.get("validation_auc"),
                    "train_graphlets": meta.get("train_graphlets"),
                    "train_pipelines": meta.get("train_pipelines"),
                    "k": meta.get("k"),
                    "seed": meta.get("seed"),
                }
            )
    return pd.DataFrame(rows)


def feature_sets(wh: Warehouse) -> Outcome:
    """Each feature set with its feature count and feature cost, from the (disk-cached) feature frame."""
    build = _function(FRAME, "build_frame")
    describe = _function(FRAME, "describe_sets")
    if build is None or describe is None:
        return Outcome(False, f"the feature frame `{FRAME}` is not installed in this build")
    try:
        ff = build(wh)
        table = pd.DataFrame(describe(ff.data, ff.k))
    except MlprovError as exc:
        return Outcome(False, str(exc))
    return Outcome(True, f"feature frame of {len(ff.data):,} graphlets (k = {ff.k})", table)


def model_threshold(version: Any) -> float | None:
    """The decision threshold of the saved model whose metadata names this version, or None."""
    models_dir = _function(PREDICTOR, "models_dir")
    if models_dir is None or not version:
        return None
    for meta_path in sorted(Path(str(models_dir())).glob("*.meta.json")):
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("model_version") == version:
            threshold = meta.get("threshold")
            return float(threshold) if isinstance(threshold, int | float) else None
    return None
