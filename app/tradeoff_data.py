"""The Predictor page's data: the predictions written back and their freshness–waste curve."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mlprov.app.shared_data import PageEntry, Reader

PAGE = PageEntry("Predictor", ":material/insights:", order=40)

PREDICTION_COLUMNS = ("uid", "store", "pipeline", "pushed", "cost", "push_probability", "model_version")


def predictions(r: Reader, stores: Sequence[str]) -> pd.DataFrame:
    """Decided graphlets of these stores that carry a prediction written back by the predictor."""
    return r.frame("app/predictions", PREDICTION_COLUMNS, stores=list(stores))


def freshness_waste(df: pd.DataFrame, thresholds: Sequence[float] | None = None) -> pd.DataFrame:
    """The freshness–waste curve (docs/predictor.md) of predictions: at threshold t a graphlet is run when
    its push probability is ≥ t. freshness = share of pushed graphlets still run; waste = share of
    the unpushed graphlets' cost still spent; waste_removed = 1 − waste."""
    ts = list(thresholds) if thresholds is not None else [i / 100 for i in range(101)]
    pushed = df[df["pushed"] == True]  # noqa: E712 (object column: True, False or None)
    unpushed = df[df["pushed"] == False]  # noqa: E712
    n_pushed = len(pushed)
    waste_total = float(unpushed["cost"].fillna(0).sum())
    out = []
    for t in ts:
        fresh = float((pushed["push_probability"] >= t).sum()) / n_pushed if n_pushed else float("nan")
        spent = float(unpushed.loc[unpushed["push_probability"] >= t, "cost"].fillna(0).sum())
        waste = spent / waste_total if waste_total > 0 else float("nan")
        out.append({"threshold": t, "freshness": fresh, "waste": waste, "waste_removed": 1 - waste})
    return pd.DataFrame(out, columns=["threshold", "freshness", "waste", "waste_removed"])
