"""Static charts (PNG, drawn with matplotlib on the server) for the charts a page shows on every load.

A Vega-Lite chart costs the browser its chart library on every page load (~0.3–0.4 s of the Overview's
main-thread time on the 2-core machine, docs/benchmarks.md#app); an image costs a decode. The pages draw
their at-a-glance charts (cost by stage, models per day) as images with every value written on them, and
keep Vega-Lite for the charts one explores (the Pipelines page's trace, the Predictor's curve). Nothing
here touches Streamlit: ``common.image`` caches the PNG per chart data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

WIDTH_IN = 7.0  # inches at DPI: ~1,000 px wide, drawn at the column's width
DPI = 150


def _axes(height_in: float) -> tuple[Figure, Axes]:
    # A Figure of its own (no pyplot): no global state shared between the server's script threads.
    fig = Figure(figsize=(WIDTH_IN, height_in))
    ax = fig.subplots()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return buf.getvalue()


def hbars(labels: Sequence[str], values: Sequence[float], notes: Sequence[str], xlabel: str) -> bytes:
    """Horizontal bars, the first label on top, each bar's note (its value) written beside it."""
    fig, ax = _axes(0.45 + 0.32 * max(1, len(labels)))
    y = list(range(len(labels)))
    bars = ax.barh(y, list(values), color="#4c78a8")
    ax.set_yticks(y, list(labels))
    ax.invert_yaxis()
    ax.bar_label(bars, labels=list(notes), padding=3, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.margins(x=0.25)
    return _png(fig)


def stacked_days(frame: pd.DataFrame, colours: dict[str, str], ylabel: str, every_day: bool) -> bytes:
    """Bars per day (``frame["day"]``) stacked by the columns named in ``colours`` (in that order), with a
    legend. ``every_day``: a calendar axis; otherwise one bar per listed (active) day, evenly spaced."""
    fig, ax = _axes(2.9)
    days = list(pd.to_datetime(frame["day"]))
    x = [float((d - days[0]).days) if every_day else float(i) for i, d in enumerate(days)]
    bottom = [0.0] * len(days)
    for column, colour in colours.items():
        heights = [float(v) for v in frame[column]]
        ax.bar(x, heights, bottom=bottom, color=colour, label=column, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 8)
    ax.set_xticks(x[::step], [f"{d:%Y-%m-%d}" for d in days][::step], rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8, ncols=len(colours), loc="lower left", bbox_to_anchor=(0.0, 1.0))
    return _png(fig)
