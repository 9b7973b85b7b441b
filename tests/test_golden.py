"""Golden outputs (issue 16): graphlets, feature frame and model results frozen before the speed work.

For the MLMD fixture stores and the generated ``tiny`` and ``small`` corpora (seed 0) the test loads the
stores, builds the graphlets and the feature frame, trains and evaluates the predictor with fixed seeds,
and compares everything a user sees with ``tests/golden/<case>.json.gz``, written once by the code as it
was before any speed-up (``MLPROV_WRITE_GOLDEN=1`` rewrites them: only for a deliberate change of results).

Frozen: each graphlet's properties (membership counts, signature, costs per stage, ``pushed``, the history
facts ``own_start`` / ``prev_in_time``, added to the files later without changing any value in them), a
digest of its member uids, its ``:NEXT`` successor and the lag-1 similarities on that link; every
column of the feature frame; per feature set the trained model's threshold, rounds, cross-validated
AUC and test scores (seed 0), and the evaluation's metrics (seed 0). Floats are compared with a
relative tolerance of 1e-9 (Cypher's aggregation order is not part of the result), everything else
exactly.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlprov.db import Warehouse
from mlprov.errors import MlprovError
from mlprov.features.evaluation import evaluate
from mlprov.features.frame import FeatureFrame, compute_frame, write_next_similarity
from mlprov.features.predictor import predict, split_by_pipeline, train_model
from mlprov.features.registry import SETS
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).with_name("golden")
WRITE = os.environ.get("MLPROV_WRITE_GOLDEN") == "1"
REL = 1e-9
CASES = ("fixtures", "tiny", "small")


def _load_case(wh: Warehouse, case: str, tmp: Path) -> list[list[str]]:
    """Load the case's stores; returns [store, error line] for every store that refused to load."""
    wh.run_batched("admin/clear_graph")
    if case == "fixtures":
        paths = sorted(FIXTURES.glob("*.sqlite"))
    else:
        from mlprov.generator import generate

        generate(tmp / case, case, seed=0)
        paths = sorted((tmp / case / "stores").glob("*.sqlite"))
    refused = []
    for p in paths:
        try:
            Loader(wh).load(str(p), store=p.stem)
        except MlprovError as e:
            refused.append([p.stem, str(e).replace(str(p), p.name)])  # the same line in any checkout
    return refused


def _graphlets(wh: Warehouse) -> list[dict[str, Any]]:
    out = []
    for r in wh.read("graphlets/list", store=None):
        members = "\n".join(r["members"])
        out.append(
            {
                "props": r["graphlet"],
                "members_sha1": hashlib.sha1(members.encode(), usedforsecurity=False).hexdigest(),
                "next": r["next"],
            }
        )
    return sorted(out, key=lambda g: str(g["props"]["uid"]))


def _next_links(wh: Warehouse) -> list[dict[str, Any]]:
    return sorted(wh.read("graphlets/next_links"), key=lambda r: (r["from"], r["to"]))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    df = df.sort_values("uid").reset_index(drop=True)
    return [{c: _plain(v) for c, v in row.items()} for row in df.to_dict(orient="records")]


def _plain(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if hasattr(v, "item"):
        return _plain(v.item())
    return v


def _models(wh: Warehouse, frame: pd.DataFrame) -> dict[str, Any]:
    ff = FeatureFrame(frame, "golden", 3)
    train_mask, test_mask = split_by_pipeline(ff.labelled, 0)
    test = ff.labelled[test_mask]
    models: dict[str, Any] = {}
    for name in SETS:
        m = train_model(ff, name, train_mask, seed=0)
        models[name] = {
            "threshold": m.threshold,
            "rounds": m.rounds,
            "validation_auc": m.validation_auc,
            "test_scores": dict(zip(test["uid"], (float(s) for s in m.predict_proba(test)), strict=True)),
        }
        if name == "input":
            preds, _, _ = predict(wh, m, ff=ff)
            models["predict_input"] = {p.uid: [p.push_probability, p.push_decision, p.contributions] for p in preds}
    ev = evaluate(ff, seeds=(0,))
    models["evaluation"] = {
        name: {k: v for k, v in summary.items() if k != "train_seconds"}
        for name, summary in ((r["set"], r) for r in ev.as_dict()["results"])
    }
    return models


def snapshot(wh: Warehouse, case: str, tmp: Path) -> dict[str, Any]:
    refused = _load_case(wh, case, tmp)
    report = build_graphlets(wh)
    frame = compute_frame(wh)
    write_next_similarity(wh, frame)
    snap: dict[str, Any] = {
        "refused": refused,
        "report": {k: getattr(report, k) for k in ("graphlets", "created", "pushed", "next_linked", "incomplete")},
        "graphlets": _graphlets(wh),
        "next": _next_links(wh),
        "frame_columns": list(frame.columns),
        "frame": _records(frame),
    }
    labelled = frame[frame["pushed"].notna()]
    if case != "fixtures" and labelled["pushed"].nunique() == 2:
        snap["models"] = _models(wh, frame)
    return json.loads(json.dumps(snap, default=str))


def assert_same(got: Any, want: Any, where: str = "") -> None:
    """Equal, floats within a relative 1e-9; the first difference is named by its path."""
    if isinstance(want, float) and isinstance(got, int | float) and not isinstance(got, bool):
        assert math.isclose(got, want, rel_tol=REL, abs_tol=1e-12), f"{where}: {got!r} != golden {want!r}"
    elif isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: {type(got).__name__} != golden dict"
        assert sorted(got) == sorted(want), f"{where}: keys {sorted(set(got) ^ set(want))[:10]} differ"
        for k in want:
            assert_same(got[k], want[k], f"{where}/{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: list length differs from golden"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    else:
        assert got == want, f"{where}: {got!r} != golden {want!r}"


@pytest.fixture
def clean(_session_warehouse: Warehouse) -> Iterator[Warehouse]:
    yield _session_warehouse
    _session_warehouse.run_batched("admin/clear_graph")


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_outputs_equal_golden(clean: Warehouse, case: str, tmp_path: Path) -> None:
    got = snapshot(clean, case, tmp_path)
    path = GOLDEN / f"{case}.json.gz"
    if WRITE:
        path.parent.mkdir(exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as f:
            json.dump(got, f, indent=0, sort_keys=True)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        want = json.load(f)
    assert got["graphlets"], f"{case}: no graphlets built: the golden comparison would be empty"
    assert_same(got, want, case)
