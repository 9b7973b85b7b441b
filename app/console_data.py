"""The Console page's data: analyst Cypher run read-only, and its rows as a table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from mlprov.analysis.library import Result, run_analyst
from mlprov.app.shared_data import PageEntry
from mlprov.db import Warehouse

PAGE = PageEntry("Console", ":material/terminal:", order=50)


def console_run(wh: Warehouse, text: str, params: Mapping[str, Any], limit: int, timeout_s: float) -> Result:
    """Analyst Cypher, read-only: the plan guard of ``mlprov query`` then a read transaction."""
    return run_analyst(wh, text, params, limit=limit, timeout_s=timeout_s)


def result_frame(result: Result) -> pd.DataFrame:
    """Rows as a frame; nested values (maps, lists, nodes) as JSON text so the table and CSV hold them."""

    def cell(v: Any) -> Any:
        if isinstance(v, dict | list | tuple):
            return json.dumps(v, default=str)
        if isinstance(v, bytes):
            return v.hex()
        return v

    return pd.DataFrame([{c: cell(row.get(c)) for c in result.columns} for row in result.rows], columns=result.columns)
