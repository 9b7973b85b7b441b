"""The Overview page's data: corpus totals, the store table, cost by stage and models per day, all from
the stores and their summaries (one index-backed query, :func:`shared_data.catalog`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlprov.app.shared_data import Catalog, PageEntry, time_columns

PAGE = PageEntry("Overview", ":material/dashboard:", order=10)

STORE_COLUMNS = (
    "name",
    "source",
    "schema_version",
    "status",
    "executions",
    "artifacts",
    "contexts",
    "events",
    "dangling",
    "loaded_at",
)
SUMMARY_COLUMNS = ("pipelines", "graphlets", "pushed", "decided", "predicted")


@dataclass
class Overview:
    totals: dict[str, Any]
    stores: pd.DataFrame
    cost_by_stage: pd.DataFrame
    models_per_day: pd.DataFrame

    @property
    def push_rate(self) -> float | None:
        decided = int(self.totals.get("decided") or 0)
        return int(self.totals.get("pushed") or 0) / decided if decided else None


def _parallel(summary: dict[str, Any] | None, columns: dict[str, str]) -> pd.DataFrame:
    """Parallel list properties of a summary (e.g. stages / stage_cost) as a frame."""
    s = summary or {}
    return pd.DataFrame({name: list(s.get(prop) or []) for name, prop in columns.items()}, columns=list(columns))


def overview(cat: Catalog, store: str | None) -> Overview:
    rows = [r for r in cat.rows if store is None or r["name"] == store]
    stores = pd.DataFrame([{c: r[c] for c in STORE_COLUMNS} for r in rows], columns=list(STORE_COLUMNS))
    for c in SUMMARY_COLUMNS:
        stores[c] = [(r["summary"] or {}).get(c) for r in rows]
    decided = pd.to_numeric(stores["decided"])
    stores["push_rate"] = pd.to_numeric(stores["pushed"]) / decided.where(decided > 0)
    time_columns(stores, "loaded_at")

    def total(column: str) -> int:
        return int(pd.to_numeric(stores[column]).fillna(0).sum())

    totals = {
        "stores": len(rows),
        "pipelines": total("pipelines"),
        "executions": total("executions"),
        "artifacts": total("artifacts"),
        "graphlets": total("graphlets"),
        "pushed": total("pushed"),
        "decided": total("decided"),
        "cost": float(sum(float((r["summary"] or {}).get("cost") or 0.0) for r in rows)),
    }
    parts = [
        _parallel(r["summary"], {"stage": "stages", "executions": "stage_executions", "cost": "stage_cost"})
        for r in rows
    ]
    stages = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["stage", "executions", "cost"])
    stages = stages.groupby("stage", as_index=False)[["executions", "cost"]].sum()
    stages = stages.sort_values(["cost", "stage"], ascending=[False, True]).reset_index(drop=True)
    total_cost = float(stages["cost"].sum()) if len(stages) else 0.0
    stages["share"] = stages["cost"] / total_cost if total_cost > 0 else 0.0
    day_cols = {"day": "model_days", "models": "models", "pushed": "models_pushed", "unpushed": "models_unpushed"}
    days_parts = [_parallel(r["summary"], day_cols) for r in rows]
    days = pd.concat(days_parts, ignore_index=True) if days_parts else pd.DataFrame(columns=list(day_cols))
    days = days.groupby("day", as_index=False)[["models", "pushed", "unpushed"]].sum().sort_values("day")
    days["day"] = pd.to_datetime(days["day"])
    days["undecided"] = days["models"] - days["pushed"] - days["unpushed"]
    return Overview(totals, stores.reset_index(drop=True), stages, days.reset_index(drop=True))
