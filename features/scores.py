"""Counting scores against thresholds, for training, evaluation and the report: how many scores are at or
above each threshold and the freshness–waste curve (docs/predictor.md).

NumPy only, so that ``mlprov report`` draws the curve of the stored predictions without importing xgboost
and scikit-learn (about a second of a report's time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def at_or_above(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How many of ``scores`` are >= each threshold (a NaN score never is), by one sort and a binary search
    per threshold instead of a comparison of every score with every threshold."""
    ranked = np.sort(scores[~np.isnan(scores)])
    return len(ranked) - np.searchsorted(ranked, thresholds, side="left")


@dataclass
class Curve:
    """Freshness and waste at every threshold (descending freshness order)."""

    thresholds: np.ndarray
    freshness: np.ndarray
    waste: np.ndarray

    def removed_at(self, min_freshness: float) -> float:
        ok = self.freshness >= min_freshness - 1e-12
        return float(1.0 - self.waste[ok].min()) if ok.any() else 0.0


def freshness_waste(y: np.ndarray, score: np.ndarray, cost: np.ndarray) -> Curve:
    """A graphlet runs when score >= threshold; one point per distinct score (plus 'run nothing')."""
    y = np.asarray(y).astype(bool)
    s = np.asarray(score, dtype=float)
    c = np.asarray(cost, dtype=float)
    pos = max(1, int(y.sum()))
    neg_total = float(c[~y].sum())
    neg_cost = neg_total or 1.0
    thresholds = np.append(np.unique(s), np.inf)
    fresh = at_or_above(s[y], thresholds) / pos
    # the unpushed graphlets' cost at or above each threshold: suffix sums over them in score order
    neg = ~y & ~np.isnan(s)
    order = np.argsort(s[neg], kind="stable")
    suffix = np.append(np.cumsum(c[neg][order][::-1])[::-1], 0.0)
    running = at_or_above(s[~y], thresholds)
    spent = suffix[len(order) - running]
    # every unpushed graphlet running spends their whole cost, summed as above (exactly 100% waste)
    spent[running == (~y).sum()] = neg_total
    return Curve(thresholds, fresh, spent / neg_cost)
