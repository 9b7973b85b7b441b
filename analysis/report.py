"""``mlprov report``: the corpus analytics as a Markdown and an HTML report with PNG plots.

The report is made of sections; each shows its tables and plots and names the ``cypher/analytics/``
queries behind them (the HTML report also shows their text), so every number can be re-run by hand.
Files written into the output directory: ``report.md``, ``report.html`` (self-contained: plots
inlined), ``summary.json`` (the summary figures and every query's rows) and one PNG per plot.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlprov.analysis.corpus import SIMILARITY_BINS, Analytics, Figure, omitted
from mlprov.queries import query

PlotFn = Callable[[Any, Analytics], None]  # draws on a matplotlib Axes


@dataclass
class Section:
    title: str
    text: str
    queries: tuple[str, ...]
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    plots: list[tuple[str, str, PlotFn]] = field(default_factory=list)  # (file stem, caption, draw)


# -- plots ------------------------------------------------------------------------------------------


def _hist(ax: Any, values: pd.Series, xlabel: str, *, bins: int = 30, log: bool = False) -> None:
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if log:
        v = v[v > 0]
        edges = np.logspace(math.log10(v.min()), math.log10(v.max() * 1.01), bins) if len(v) else bins
        ax.set_xscale("log")
        ax.hist(v, bins=edges, color="#4c72b0")
    else:
        ax.hist(v, bins=bins, color="#4c72b0")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")


def _plot_lifespan(ax: Any, a: Analytics) -> None:
    _hist(ax, a["pipeline_lifespan"]["lifespan_days"], "pipeline lifespan (days)")


def _plot_models_per_day(ax: Any, a: Analytics) -> None:
    _hist(ax, a["pipeline_lifespan"]["models_per_day"], "models trained per day (per pipeline, log scale)", log=True)


def _plot_operators(ax: Any, a: Analytics) -> None:
    ops = a["operator_usage"].groupby("kind")["pipeline_share"].max().sort_values()
    ax.barh(ops.index, 100.0 * ops.to_numpy(), color="#4c72b0")
    ax.set_xlabel("pipelines running the operator (%)")


def _plot_stage_cost(ax: Any, a: Analytics) -> None:
    st = a["stage_compute"].set_index("stage")["cost_share"].astype(float).fillna(0.0).sort_values()
    ax.barh(st.index, 100.0 * st.to_numpy(), color="#dd8452")
    ax.set_xlabel("share of compute (%)")


def _plot_model_types(ax: Any, a: Analytics) -> None:
    t = a["model_types"]
    x = np.arange(len(t))
    ax.bar(x - 0.2, 100.0 * t["share"].to_numpy(dtype=float), 0.4, label="share of graphlets (%)")
    ax.bar(x + 0.2, 100.0 * t["push_rate"].astype(float).fillna(0).to_numpy(), 0.4, label="push rate (%)")
    ax.set_xticks(x, t["model_type"].tolist(), rotation=20)
    ax.legend(fontsize=8)


def _plot_similarity(ax: Any, a: Analytics) -> None:
    b = a["similarity_bins"]
    x = np.arange(len(SIMILARITY_BINS))
    for i, measure in enumerate(("jaccard", "dataset_similarity")):
        part = b[b["measure"] == measure].set_index("bin").reindex(list(SIMILARITY_BINS))
        ax.bar(x + (i - 0.5) * 0.4, 100.0 * part["share"].fillna(0).to_numpy(dtype=float), 0.4, label=measure)
    ax.set_xticks(x, list(SIMILARITY_BINS))
    ax.set_xlabel("similarity to the previous graphlet")
    ax.set_ylabel("consecutive pairs (%)")
    ax.legend(fontsize=8)


def _plot_gaps(ax: Any, a: Analytics) -> None:
    frames = {"consecutive graphlets": a["consecutive"], "consecutive pushes": a["push_gaps"]}
    values = {
        k: pd.to_numeric(v["hours"], errors="coerce").dropna().to_numpy(dtype=float)
        for k, v in frames.items()
        if len(v)
    }
    values = {k: v[v > 0] for k, v in values.items() if len(v)}
    every = np.concatenate(list(values.values())) if values else np.array([1.0])
    edges = np.logspace(math.log10(max(every.min(), 1e-3)), math.log10(every.max() * 1.01 + 1e-3), 40)
    for label, v in values.items():
        ax.hist(v, bins=edges, alpha=0.6, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("hours between trainer starts (log scale)")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)


def _plot_unpushed_between(ax: Any, a: Analytics) -> None:
    v = a["push_gaps"]["unpushed_between"].to_numpy(dtype=int)
    ax.hist(v, bins=np.arange(0, (v.max() if len(v) else 0) + 2) - 0.5, color="#4c72b0")
    ax.set_xlabel("graphlets without a push between consecutive pushes")
    ax.set_ylabel("pairs of pushes")


def _plot_duration(ax: Any, a: Analytics) -> None:
    _hist(ax, a["graphlets"]["hours"], "graphlet duration (hours, log scale)", log=True)


def _plot_trainer_cost(ax: Any, a: Analytics) -> None:
    g = a["graphlets"]
    data = [pd.to_numeric(g.loc[g["pushed"] == p, "trainer_cost"]).dropna().to_numpy() for p in (True, False)]
    ax.boxplot(data, showfliers=False)
    ax.set_xticks([1, 2], ["pushed", "unpushed"])
    ax.set_ylabel("trainer cost (s)")


def _plot_freshness_waste(ax: Any, a: Analytics) -> None:
    from mlprov.features.scores import freshness_waste

    g = a["graphlets"]
    g = g[g["pushed"].notna() & g["push_probability"].notna()]
    curve = freshness_waste(
        g["pushed"].astype(bool).to_numpy(),
        g["push_probability"].to_numpy(dtype=float),
        g["cost"].to_numpy(dtype=float),
    )
    ax.step(curve.freshness, 1.0 - curve.waste, where="post")
    ax.set_xlabel("freshness (share of pushed graphlets still run)")
    ax.set_ylabel("waste removed (share of unpushed cost)")
    ax.set_xlim(0.5, 1.005)
    ax.set_ylim(0, 1.02)


# -- sections ---------------------------------------------------------------------------------------


def _pct_columns(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = df.copy()
    for c in columns:
        if c in out:
            out[c] = (100.0 * pd.to_numeric(out[c], errors="coerce")).round(1)
    return out.rename(columns={c: f"{c} %" for c in columns if c in out})


def sections(a: Analytics) -> list[Section]:
    """The report's sections, in the study's order."""
    life = a["pipeline_lifespan"]
    ops = a["operator_usage"]
    stage = a["stage_compute"]
    traces = a["pipeline_traces"]
    out = [
        Section(
            "Corpus: pipelines and their traces",
            "Trace of a pipeline: its executions and the distinct artifacts they read or wrote. Model type of a "
            "pipeline: the one most of its graphlets' Trainers record. Warm-starting: a Trainer of the pipeline reads "
            "a Model artifact another Trainer wrote.",
            ("corpus", "pipeline_traces"),
            [
                ("Corpus", a["corpus"]),
                (
                    "Largest traces",
                    traces.sort_values("nodes", ascending=False).head(10)[
                        [
                            "store",
                            "pipeline",
                            "executions",
                            "artifacts",
                            "nodes",
                            "graphlets",
                            "pushed",
                            "model_type",
                            "warm_start",
                        ]
                    ],
                ),
            ]
            if len(traces)
            else [],
        ),
        Section(
            "Pipelines: lifespan and training cadence",
            "Lifespan: first execution created to last execution updated. Models per day: model graphlets / "
            "max(lifespan, 1 day).",
            ("pipeline_lifespan",),
            [
                (
                    "Busiest pipelines",
                    life.sort_values("models_per_day", ascending=False)
                    .head(10)[["store", "pipeline", "executions", "lifespan_days", "models", "models_per_day"]]
                    .round(2),
                )
            ]
            if len(life)
            else [],
            [
                ("lifespan", "Pipeline lifespan", _plot_lifespan),
                ("models_per_day", "Models trained per day", _plot_models_per_day),
            ]
            if len(life)
            else [],
        ),
        Section(
            "Operators: usage and compute",
            "Share of pipelines that run each operator kind (and each of the study's six stages) at least once, "
            "and each kind's and stage's share of all execution cost (recorded CPU seconds, else wall time).",
            ("operator_usage", "stage_compute"),
            [
                ("By operator kind", _pct_columns(ops, ("pipeline_share", "cost_share")).round(1)),
                ("By stage", _pct_columns(stage, ("cost_share", "pipeline_share")).round(1)),
            ]
            if len(ops)
            else [],
            [("operators", "Operator usage", _plot_operators), ("stage_cost", "Compute by stage", _plot_stage_cost)]
            if len(ops)
            else [],
        ),
        Section(
            "Models: type mix and push likelihood",
            "Model type recorded by each graphlet's Trainer; push rate among graphlets whose push is decided.",
            ("model_types",),
            [("Model types", _pct_columns(a["model_types"], ("share", "push_rate")))] if len(a["model_types"]) else [],
            [("model_types", "Model types and push rate", _plot_model_types)] if len(a["model_types"]) else [],
        ),
        Section(
            "Consecutive graphlets: input overlap, code change, cadence",
            "Jaccard of the input span sets and dataset similarity (spans paired by position, compared through "
            "their per-feature statistics) of each graphlet vs the previous one of its pipeline, as written onto "
            "the :NEXT links by `mlprov features`; time between trainer starts; graphlets without a push between "
            "two pushes.",
            ("similarity_bins", "similarity_by_push", "pipeline_similarity", "consecutive", "push_gaps"),
            [
                ("Similarity bins", _pct_columns(a["similarity_bins"], ("share",)).round(3)),
                ("Pushed vs unpushed", _pct_columns(a["similarity_by_push"], ("code_match",)).round(3)),
                ("Per pipeline", a["pipeline_similarity"].round(3)),
            ]
            if a.has_similarity
            else [],
            ([("similarity", "Similarity of consecutive graphlets", _plot_similarity)] if a.has_similarity else [])
            + ([("gaps", "Time between consecutive graphlets and pushes", _plot_gaps)] if len(a["consecutive"]) else [])
            + (
                [("unpushed_between", "Graphlets between consecutive pushes", _plot_unpushed_between)]
                if len(a["push_gaps"])
                else []
            ),
        ),
        Section(
            "Graphlets: duration, trainer cost, waste",
            "Graphlet cost: each execution's cost shared equally among the graphlets holding it. Waste: the cost of "
            "graphlets whose model was not pushed. With stored predictions (`mlprov predict`), what their "
            "decisions would skip; these include graphlets the model was trained on, so they are optimistic "
            "(`mlprov evaluate` gives held-out numbers).",
            ("graphlets", "waste"),
            [("Waste", a["waste"].round(3))] if len(a["waste"]) else [],
            (
                [
                    ("duration", "Graphlet duration", _plot_duration),
                    ("trainer_cost", "Trainer cost", _plot_trainer_cost),
                ]
                if len(a["graphlets"])
                else []
            )
            + (
                [("freshness_waste", "Freshness-waste of the stored predictions", _plot_freshness_waste)]
                if a.has_predictions
                else []
            ),
        ),
    ]
    return out


# -- rendering --------------------------------------------------------------------------------------


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def markdown_table(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    rows = ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def figures_frame(figures: list[Figure]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "section": f.section,
                "statistic": f.statistic,
                "ours": f.formatted(),
                "study": f.study,
                "figure": f.key.replace(",", ", "),
            }
            for f in figures
        ]
    )


def omitted_frame(a: Analytics) -> pd.DataFrame:
    return pd.DataFrame(omitted(a), columns=["figure", "why it has no value here"])


def _draw(png: Path, draw: PlotFn, a: Analytics, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4), dpi=100)
    draw(ax, a)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)


def write_report(a: Analytics, out_dir: Path) -> dict[str, Path]:
    """Write report.md, report.html, summary.json and the PNG plots into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    secs = sections(a)
    scope = f"store {a.store}" if a.store else "all stores"
    md = [
        f"# mlprov corpus report ({scope})",
        "",
        "## Summary beside the study",
        "",
        markdown_table(figures_frame(a.figures)),
        "",
        "Study values from the SIGMOD'21 study as listed in shared/study/figures.md (column `figure`: its id "
        "there); '-' where the study states none. Percent columns are percent; similarities and shares are "
        "0..1; 'a / b / c' figures of the study are split over rows.",
        "",
        "## Figures of the study without a value here",
        "",
        markdown_table(omitted_frame(a)),
        "",
    ]
    body = [
        f"<h1>mlprov corpus report ({html.escape(scope)})</h1><h2>Summary beside the study</h2>",
        figures_frame(a.figures).to_html(index=False, border=0),
        "<h2>Figures of the study without a value here</h2>",
        omitted_frame(a).to_html(index=False, border=0),
    ]
    for sec in secs:
        md += [
            f"## {sec.title}",
            "",
            sec.text,
            "",
            "Queries: " + ", ".join(f"`analytics/{q}`" for q in sec.queries),
            "",
        ]
        body.append(f"<h2>{html.escape(sec.title)}</h2><p>{html.escape(sec.text)}</p>")
        for caption, df in sec.tables:
            md += [f"**{caption}**", "", markdown_table(df), ""]
            body.append(f"<h3>{html.escape(caption)}</h3>" + df.to_html(index=False, border=0, na_rep=""))
        for stem, caption, draw in sec.plots:
            png = out_dir / f"{stem}.png"
            _draw(png, draw, a, caption)
            md += [f"![{caption}]({png.name})", ""]
            data = base64.b64encode(png.read_bytes()).decode()
            body.append(
                f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
        for q in sec.queries:
            body.append(
                f"<details><summary>analytics/{html.escape(q)}</summary>"
                f"<pre>{html.escape(query(f'analytics/{q}').text)}</pre></details>"
            )
    paths = {"md": out_dir / "report.md", "html": out_dir / "report.html", "json": out_dir / "summary.json"}
    paths["md"].write_text("\n".join(md))
    paths["html"].write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>mlprov corpus report</title><style>"
        "body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:3px 8px}pre{background:#f6f6f6;padding:1em;overflow:auto}"
        "</style></head><body>" + "".join(body) + "</body></html>\n"
    )
    head = {
        "store": a.store,
        "figures": [f.as_dict() for f in a.figures],
        "omitted": [{"figure": k, "reason": r} for k, r in omitted(a)],
    }
    # every query's rows as pandas writes them (in C), not parsed back and encoded again (0.57 → 0.11 s for the
    # 22 MB of the 300-pipeline corpus; the same JSON value); no indent, so the rest is encoded in C too
    # written a query at a time: the file never exists whole in memory (hundreds of MB at the study's scale)
    with paths["json"].open("w") as f:
        f.write(json.dumps(head)[:-1] + ', "queries": {')
        for i, (name, df) in enumerate(a.frames.items()):
            f.write(f"{', ' if i else ''}{json.dumps(name)}: {df.to_json(orient='records')}")
        f.write("}}\n")
    return paths
