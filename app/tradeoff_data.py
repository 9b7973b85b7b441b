"""The Predictor page's data: the freshness–waste curve of the predictions written back, from the store
summaries (``cypher/summary/store_predictions``, rewritten by every ``mlprov predict``): no graphlet is read on a
page load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlprov.app.shared_data import Catalog, PageEntry

PAGE = PageEntry("Predictor", ":material/insights:", order=40)

GRID = 100  # thresholds 0.00, 0.01, … 1.00 (the slider's steps; summary/store bins on the same grid)
CURVE_COLUMNS = ("threshold", "freshness", "waste", "waste_removed")


@dataclass(frozen=True)
class Predictions:
    """The decided graphlets with a prediction, of some stores: counts, model versions and the curve."""

    graphlets: int
    pushed: int
    versions: dict[str, int]
    curve: pd.DataFrame

    def at(self, threshold: float) -> pd.Series:
        """The curve's point at a threshold of the grid (the nearest one)."""
        return self.curve.iloc[min(GRID, max(0, round(threshold * GRID)))]


def predictions(cat: Catalog, stores: Sequence[str]) -> Predictions:
    """The freshness–waste curve (docs/predictor.md) over these stores' summaries: at threshold t a
    graphlet is run when its push probability is ≥ t; freshness = share of pushed graphlets still run;
    waste = share of the unpushed graphlets' cost still spent; waste_removed = 1 − waste."""
    pushed = np.zeros(GRID + 1)
    unpushed = np.zeros(GRID + 1)
    cost = np.zeros(GRID + 1)
    versions: dict[str, int] = {}
    for row in cat.rows:
        if row["name"] not in stores:
            continue
        s = row["summary"] or {}
        for b, p, u, c in zip(
            s.get("prediction_bins") or [],
            s.get("prediction_pushed") or [],
            s.get("prediction_unpushed") or [],
            s.get("prediction_unpushed_cost") or [],
            strict=True,
        ):
            i = min(GRID, max(0, int(b)))
            pushed[i] += p
            unpushed[i] += u
            cost[i] += c
        for v, n in zip(s.get("prediction_versions") or [], s.get("prediction_version_graphlets") or [], strict=True):
            versions[str(v)] = versions.get(str(v), 0) + int(n)
    # run at threshold i: every graphlet whose bin is ≥ i (a cumulative sum from the top)
    run_pushed = pushed[::-1].cumsum()[::-1]
    spent = cost[::-1].cumsum()[::-1]
    # shares of the totals as summed here (threshold 0 runs everything: exactly 100%, never 100.0…01%)
    fresh = run_pushed / run_pushed[0] if run_pushed[0] else np.full(GRID + 1, np.nan)
    waste = spent / spent[0] if spent[0] > 0 else np.full(GRID + 1, np.nan)
    curve = pd.DataFrame(
        {"threshold": np.arange(GRID + 1) / GRID, "freshness": fresh, "waste": waste, "waste_removed": 1 - waste},
        columns=list(CURVE_COLUMNS),
    )
    return Predictions(int(pushed.sum() + unpushed.sum()), int(pushed.sum()), dict(sorted(versions.items())), curve)
