"""What every page reads through, and the helpers all page data modules share (no Streamlit here).

Every page reads through a :class:`Reader`, which runs named queries from ``cypher/`` (the app's own
in ``cypher/app/``) and records each one it ran (so the page can show the Cypher, folded). The pages
read summaries (``:PipelineSummary``, ``:StoreSummary``, written by ``mlprov graphlets`` and
``mlprov predict``, see ``core/summaries.py``) and index-backed lookups only. The app gives its
readers a cache (Streamlit's, in ``common.py``) keyed on the warehouse's data version: every store's
load time and summary write time, read fresh on each page run (:func:`catalog`), so a reload or a new
prediction invalidates every cached answer. Benchmarks and tests use ``Reader(wh)`` (no cache) to
measure the real cost. Each page's own data code is in ``<page>_data.py`` beside it.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from mlprov.db import Row, Warehouse
from mlprov.loader.operators import KINDS


@dataclass(frozen=True)
class PageEntry:
    """A page's place in the navigation. A page's data module declares ``PAGE = PageEntry(...)``; the
    page itself is the file of the same name without ``_data`` (app/main.py finds them)."""

    title: str
    icon: str
    order: int


# Operator kinds in pipeline order (docs/graph-model.md), so the trace's lanes read top to bottom.
KIND_ORDER = KINDS
STAGE_ORDER = (
    "ingest",
    "data-validation",
    "preprocessing",
    "training",
    "model-validation",
    "deployment",
    "other",
)


@dataclass(frozen=True)
class Answer:
    """A named query's rows, the seconds its read from Neo4j took, and whether this run took them
    from the cache (then ``seconds`` is the time of the read that filled it)."""

    rows: list[Row]
    seconds: float
    cached: bool


class RowCache(Protocol):
    """Answers of named queries for one data version."""

    def __call__(self, wh: Warehouse, version: str, name: str, params: dict[str, Any]) -> Answer: ...


@dataclass(frozen=True)
class Ran:
    """One named query a page ran: what to show in its "Cypher" expander (``seconds``: the read from
    Neo4j, also when this run took the rows from the cache)."""

    name: str
    params: dict[str, Any]
    rows: int
    seconds: float
    cached: bool


@dataclass
class Reader:
    """Runs named read queries for one page run and remembers which ones it ran. With a ``cache``,
    answers are kept per data ``version`` (set from :func:`catalog` before any cached read)."""

    wh: Warehouse
    cache: RowCache | None = None
    version: str | None = None
    ran: list[Ran] = field(default_factory=list)

    def rows(self, name: str, /, **params: Any) -> list[Row]:
        if self.cache is not None and self.version is not None:
            answer = self.cache(self.wh, self.version, name, params)
        else:
            answer = timed_read(self.wh, name, params)
        self.ran.append(Ran(name, params, len(answer.rows), answer.seconds, answer.cached))
        return answer.rows

    def fresh(self, name: str, /, **params: Any) -> list[Row]:
        """Rows read now, never from the cache (what the cache key itself is made of)."""
        answer = timed_read(self.wh, name, params)
        self.ran.append(Ran(name, params, len(answer.rows), answer.seconds, False))
        return answer.rows

    def frame(self, name: str, columns: Sequence[str], /, **params: Any) -> pd.DataFrame:
        """The rows of a named query as a frame with these columns (also when there are no rows)."""
        return pd.DataFrame(self.rows(name, **params), columns=list(columns))


def timed_read(wh: Warehouse, name: str, params: dict[str, Any]) -> Answer:
    """A named query read from Neo4j now, with the seconds it took."""
    t0 = time.monotonic()
    rows = wh.read(name, **params)
    return Answer(rows, time.monotonic() - t0, False)


@dataclass(frozen=True)
class Catalog:
    """The loaded stores with their summaries (``app/stores``), read fresh on every page run."""

    rows: tuple[Row, ...]

    @property
    def names(self) -> list[str]:
        return [str(r["name"]) for r in self.rows]

    @property
    def complete(self) -> list[str]:
        """The stores whose load committed: the only ones a page counts (a store being loaded is
        listed with its status, never half-counted)."""
        return [str(r["name"]) for r in self.rows if r["status"] == "complete"]

    def loading(self, store: str | None = None) -> list[str]:
        """Stores (all, or the chosen one) whose load has not committed: shown as loading."""
        return [str(r["name"]) for r in self.rows if r["status"] != "complete" and store in (None, r["name"])]

    @property
    def version(self) -> str:
        """Changes whenever a store is loaded again or its summaries are rewritten."""
        stamp = [(r["name"], r["loaded_at"], r["status"], (r["summary"] or {}).get("written_at")) for r in self.rows]
        return hashlib.sha1(json.dumps(stamp, default=str).encode(), usedforsecurity=False).hexdigest()[:16]

    def scope(self, store: str | None) -> list[str]:
        """The completely loaded store names a page covers: the chosen one, or all."""
        return [n for n in self.complete if store in (None, n)]

    def stale(self, store: str | None = None) -> list[str]:
        """Stores in scope whose summaries are missing or older than their last load."""
        return [
            str(r["name"])
            for r in self.rows
            if store in (None, r["name"])
            and r["status"] == "complete"
            and (r["summary"] is None or r["summary"].get("loaded_at") != r["loaded_at"])
        ]


def catalog(r: Reader) -> Catalog:
    """The stores (fresh) and, from them, the reader's cache version."""
    found = Catalog(tuple(r.fresh("app/stores")))
    r.version = found.version
    return found


def loading_line(stores: Sequence[str]) -> str:
    """What a page says about stores whose load has not committed (being loaded, or interrupted)."""
    return (
        f"{', '.join(stores)}: loading (the load has not committed). Left out of every count and chart until "
        "it completes; an interrupted load finishes when `mlprov load` is run again."
    )


def stale_line(stores: Sequence[str]) -> str:
    """What a page says when some summaries are missing or older than the load."""
    return (
        f"The summaries of {', '.join(stores)} are missing or older than the last load: counts and charts may "
        "be out of date. Run `mlprov graphlets` to rewrite them."
    )


def to_time(ms: Any) -> pd.Timestamp | None:
    """Milliseconds since the epoch as a UTC timestamp (None stays None)."""
    if ms is None or (isinstance(ms, float) and math.isnan(ms)):
        return None
    return pd.Timestamp(int(ms), unit="ms", tz="UTC")


TIME_FORMAT = "YYYY-MM-DD HH:mm:ss"  # Streamlit's DatetimeColumn format: UTC to the second


def human_time(value: Any) -> str:
    """A time (ms since the epoch or a timestamp) as ``2024-01-04 02:55:02 UTC``; missing is "–"."""
    ts = value if isinstance(value, pd.Timestamp) else to_time(value)
    if ts is None or pd.isna(ts):
        return "–"
    return f"{ts.tz_convert('UTC') if ts.tzinfo else ts:%Y-%m-%d %H:%M:%S} UTC"


def stage_label(stage: str) -> str:
    """Stages are spelled with hyphens everywhere in the app (graphlet properties use underscores)."""
    return stage.replace("_", "-")


def browser_url(http_uri: str, statement: str, params: dict[str, Any]) -> str:
    """A Neo4j Browser address whose editor is prefilled with the parameters (`:param`) and the query."""
    from urllib.parse import quote

    lines = [f":param {name} => {json.dumps(value)}" for name, value in params.items()]
    return f"{http_uri.rstrip('/')}/browser/?cmd=edit&arg={quote(chr(10).join([*lines, statement]))}"


def time_columns(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Convert ms-since-epoch columns to UTC datetimes in place (for tables and charts)."""
    for c in columns:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c], unit="ms", utc=True)
    return df


def cell(value: Any, decimals: int | None = None) -> str:
    """One value of a static table as text, in full: a time in UTC to the second, a number with thousands
    separators (``decimals`` places for a float; a whole float without them), a list joined by commas,
    missing as "–"."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return "–"
    if isinstance(value, pd.Timestamp):
        return human_time(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if decimals is not None:
            return f"{value:,.{decimals}f}"
        return f"{value:,.0f}" if value.is_integer() else f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def text_table(
    df: pd.DataFrame, index: str, names: Mapping[str, str] | None = None, decimals: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """A frame as a static table shows it: each row labelled by its ``index`` column, every value as text in
    full (:func:`cell`, ``decimals`` per column), columns renamed by ``names``."""
    shown = df.set_index(index)
    places = decimals or {}
    plain = {c: [v.item() if isinstance(v, np.generic) else v for v in shown[c]] for c in shown.columns}
    out = pd.DataFrame(
        {c: [cell(v, places.get(c)) for v in values] for c, values in plain.items()},
        index=[str(i) for i in shown.index],
    )
    out.index.name = index
    return out.rename(columns=dict(names or {}))


TABLE_STYLE = (
    "<style>.mlprov-table{overflow-x:auto}.mlprov-table table{border-collapse:collapse;font-size:0.8rem;width:100%}"
    ".mlprov-table th,.mlprov-table td{border-bottom:1px solid rgba(49,51,63,0.15);padding:0.25rem 0.6rem;"
    "text-align:left;vertical-align:top;overflow-wrap:anywhere}.mlprov-table thead th{font-weight:600}"
    ".mlprov-table tbody th{font-weight:400;color:rgba(49,51,63,0.7)}</style>"
)


def html_table(frame: pd.DataFrame) -> str:
    """A frame of text as a plain HTML table (its index the first column, every value escaped): what
    ``common.table`` shows with ``st.html``."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "", *frame.columns])
    body = "".join(
        f"<tr><th>{html.escape(str(i))}</th>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for i, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'{TABLE_STYLE}<div class="mlprov-table">{table}</div>'


MAX_CHOICES = 200  # options a picker sends to the browser; a search narrows the rest


def listed_choices(options: Sequence[str], keep: str | None) -> list[str]:
    """The first :data:`MAX_CHOICES` options, plus ``keep`` (the current choice) when it lies further down:
    a picker of thousands of options costs the browser a noticeable part of a page load (3,000 pipelines:
    ~0.15 s of the Graphlet page's)."""
    shown = list(options[:MAX_CHOICES])
    if keep is not None and keep not in shown and keep in options:
        shown.append(keep)
    return shown


def pages(total: int, page_size: int) -> int:
    return max(1, math.ceil(total / max(1, page_size)))


def outcome(pushed: Any) -> str:
    if pushed is True:
        return "pushed"
    if pushed is False:
        return "unpushed"
    return "undecided"
