"""Static charts (PNG, drawn with matplotlib on the server) for the charts a page shows on every load.

A Vega-Lite chart costs the browser its chart library on every page load (~0.3–0.4 s of the Overview's
main-thread time on the 2-core machine, docs/benchmarks-log.md#app); an image costs a decode. The pages draw
their at-a-glance charts (cost by stage, models per day) as images with every value written on them, and
keep Vega-Lite for the charts one explores (the Pipelines page's trace, the Predictor's curve). Nothing
here touches Streamlit: ``common.image`` caches the PNG per chart data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
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


def _days(times: pd.Series) -> list[float]:
    """UTC times as matplotlib's date numbers (days since 1970-01-01, its default epoch)."""
    return list((pd.to_datetime(times, utc=True) - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1))


MARKERS = {"circle": "o", "square": "s", "cross": "X", "triangle-up": "^"}  # Vega-Lite's shape names


def trace(
    points: pd.DataFrame,
    kinds: Sequence[str],
    bars: pd.DataFrame,
    colours: dict[str, str],
    shapes: dict[str, str],
    outcomes: dict[str, str],
) -> bytes:
    """A pipeline's trace: executions (``points``: created, kind, state, membership, highlighted) in lanes
    by kind (``kinds``, the first on top) above its graphlets (``bars``: started, ended, lane, outcome,
    highlighted) as bars from first member to last, one time axis (UTC). Colours by membership and
    outcome, markers by state (Vega-Lite's shape names, ``shapes``); the highlighted graphlet's bar and its
    executions are drawn larger with a black edge."""
    lanes = int(bars["lane"].max()) + 1 if len(bars) else 0
    top, low = 0.32 * max(3, len(kinds)) + 0.4, (0.14 * max(3, lanes) + 0.5) if lanes else 0.0
    fig = Figure(figsize=(WIDTH_IN * 1.6, top + low + 0.9))
    axes = fig.subplots(2 if lanes else 1, 1, sharex=True, squeeze=False, height_ratios=[top, low] if lanes else None)
    ax = axes[0][0]
    rank = {k: i for i, k in enumerate(kinds)}
    for (membership, state, lit), group in points.groupby(["membership", "state", "highlighted"], dropna=False):
        ax.scatter(
            _days(group["created"]),
            [rank[k] for k in group["kind"]],
            s=110 if lit else 28,
            c=colours.get(str(membership), "#607d8b"),
            marker=MARKERS.get(shapes.get(str(state), "circle"), "o"),
            edgecolors="black" if lit else "none",
            linewidths=1.2,
            alpha=0.85,
        )
    ax.set_yticks(range(len(kinds)), list(kinds))
    ax.set_ylim(len(kinds) - 0.5, -0.5)
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    handles: list[Artist] = [Line2D([], [], ls="", marker="o", color=c, label=m) for m, c in colours.items()]
    handles += [Line2D([], [], ls="", marker=MARKERS[s], color="#616161", label=st) for st, s in shapes.items()]
    if lanes:
        handles += [Patch(color=c, label=f"graphlet {o}") for o, c in outcomes.items()]
        gx = axes[1][0]
        starts, ends = _days(bars["started"]), _days(bars["ended"])
        thinnest = (max(ends) - min(starts)) / 400 if len(bars) else 0.0  # a graphlet of one instant stays visible
        gx.barh(
            list(bars["lane"]),
            [max(e - s, thinnest) for s, e in zip(starts, ends, strict=True)],
            left=starts,
            height=0.6,
            color=[outcomes.get(str(o), "#9e9e9e") for o in bars["outcome"]],
            edgecolor=["black" if h else "none" for h in bars["highlighted"]],
            linewidth=[2 if h else 0 for h in bars["highlighted"]],
        )
        gx.set_ylim(lanes - 0.4, -0.6)
        gx.set_yticks([])
        gx.set_ylabel("graphlets", fontsize=8)
        for side in ("top", "right"):
            gx.spines[side].set_visible(False)
    bottom = axes[-1][0]
    bottom.xaxis.axis_date("UTC")
    bottom.set_xlabel("time (UTC)")
    ax.legend(handles=handles, frameon=False, fontsize=7, ncols=6, loc="lower left", bbox_to_anchor=(0.0, 1.0))
    return _png(fig)
