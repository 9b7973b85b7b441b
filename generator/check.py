"""``check``: recompute the corpus statistics from the MLMD stores themselves and compare them with
the study's targets (docs/generator.md).

Nothing here reads generator internals or ``latent.csv``: every number comes from SQL over the
stores' own tables. Definitions (all pooled over the corpus unless said otherwise):

* pipeline: a ``pipeline`` context; its executions are those associated with it.
* graphlet: a Trainer execution (short type name contains ``Trainer``) that is not CACHED
  (``last_known_state`` 5). FAILED/CANCELED trainers count (they are unpushed).
* pushed: following OUTPUT→INPUT edges from the Trainer through non-CACHED, non-Trainer executions,
  a Pusher is reached whose PushedModel output has ``pushed = 1`` (or a COMPLETE Pusher output with
  no ``pushed`` property).
* lifespan of a pipeline: last ``last_update_time`` minus first ``create_time`` of its executions.
* models per day of a pipeline: graphlets / max(lifespan in days, 1); mean over pipelines.
* consecutive graphlets: same pipeline, ordered by trainer create time (ties by id).
* input span set of a graphlet: the ``span`` values of the Examples artifacts its Trainer reads.
* unpushed between pushes: for each pair of consecutive pushed graphlets of a pipeline, the number
  of graphlets between them; mean over all such pairs.
* dataset similarity of a consecutive pair: the spans of each graphlet's Trainer sorted, paired by
  ordinal position, each pair compared through the ``feature_stats`` of the pipeline's
  ExampleStatistics artifact of that span, with the formula of the feature frame
  (:func:`mlprov.features.frame.dataset_similarity`); per-pipeline average: the mean over the
  pipeline's pairs.
* pipelines that pushed a model: pipelines with at least one pushed graphlet (Fig. 6's deployment
  usage, 100% in the study because of its corpus filter, §2.2: only pipelines that pushed are kept).
* warm-starting pipeline: one of its Trainers reads a Model written by the same Trainer node (``node``
  context) in another ``pipeline_run`` (a distillation student reading its teacher's Model is not
  warm start).
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlprov.analysis.corpus import STUDY
from mlprov.features.frame import dataset_similarity
from mlprov.generator.corpus import store_paths

# The study's Table 1, rows 2 and 3 (dataset similarity of consecutive graphlets; bins in %, mean)
DATASET_SIM_BINS = (89.7, 0.3, 0.1, 9.9)
DATASET_SIM_MEAN = 0.101
AVG_DATASET_SIM_BINS = (87.3, 5.0, 3.1, 4.6)
AVG_DATASET_SIM_MEAN = 0.092
# Table 2: mean dataset similarity and code match to the preceding graphlet, pushed vs unpushed
TABLE2_SIM = {1: 0.109, 0: 0.099}
TABLE2_CODE = {1: 0.838, 0: 0.846}
BIN_NAMES = ("[0,.25]", "(.25,.5]", "(.5,.75]", "(.75,1]")


@dataclass(frozen=True)
class CheckRow:
    name: str
    ours: float
    target: float
    tolerance: float
    kind: str  # "relative": |ours-target| <= tolerance*target; "points": <= tolerance; "above": ours > target
    unit: str = ""

    @property
    def passed(self) -> bool:
        if not math.isfinite(self.ours):
            return False
        if self.kind == "relative":
            return abs(self.ours - self.target) <= self.tolerance * abs(self.target) + 1e-12
        if self.kind == "points":
            return abs(self.ours - self.target) <= self.tolerance + 1e-12
        return self.ours > self.target

    @property
    def status(self) -> str:
        return "pass" if self.passed else "miss"

    def describe_target(self) -> str:
        if self.kind == "relative":
            return f"{self.target:g}{self.unit} ±{self.tolerance * 100:g}%"
        if self.kind == "points":
            return f"{self.target:g}{self.unit} ±{self.tolerance:g} pts"
        return f"> {self.target:g}{self.unit}"


@dataclass
class CorpusStats:
    """Per-graphlet and per-pipeline frames recomputed from the stores."""

    graphlets: pd.DataFrame  # store, pipeline, trainer_id, created, state, model_type, code, pushed, spans
    pipelines: pd.DataFrame  # store, pipeline, first, last, graphlets, warm
    span_stats: dict[tuple[str, str, int], dict[str, dict[str, float]]]  # (store, pipeline, span) -> stats


def _q(conn: sqlite3.Connection, sql: str) -> pd.DataFrame:
    return pd.read_sql_query(sql, conn)


def store_stats(path: Path) -> CorpusStats:
    """Graphlets and pipelines of one MLMD store, from its tables only."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        types = _q(conn, "SELECT id, name, type_kind FROM Type")
        types["short"] = types["name"].str.rsplit(".", n=1).str[-1]
        ex = _q(
            conn,
            "SELECT id, type_id, last_known_state AS state, create_time_since_epoch AS created, "
            "last_update_time_since_epoch AS updated FROM Execution",
        )
        ex = ex.merge(types[["id", "short"]].rename(columns={"id": "type_id"}), on="type_id")
        ex["is_trainer"] = ex["short"].str.contains("Trainer")
        ex["cached"] = ex["state"] == 5
        ctx = _q(conn, "SELECT c.id, c.name, t.name AS ctype FROM Context c JOIN Type t ON t.id = c.type_id")
        assoc = _q(conn, "SELECT context_id, execution_id FROM Association")
        assoc = assoc.merge(ctx.rename(columns={"id": "context_id"}), on="context_id")
        pipe_of = assoc[assoc["ctype"] == "pipeline"][["execution_id", "name"]].rename(
            columns={"execution_id": "id", "name": "pipeline"}
        )
        run_of = assoc[assoc["ctype"] == "pipeline_run"][["execution_id", "context_id"]].rename(
            columns={"execution_id": "id", "context_id": "run"}
        )
        node_of = assoc[assoc["ctype"] == "node"][["execution_id", "context_id"]].rename(
            columns={"execution_id": "id", "context_id": "node"}
        )
        ex = ex.merge(pipe_of, on="id", how="left").merge(run_of, on="id", how="left")
        ex = ex.merge(node_of, on="id", how="left")
        ev = _q(conn, "SELECT artifact_id, execution_id, type FROM Event WHERE type IN (3, 4)")
        art = _q(conn, "SELECT a.id, t.name AS atype FROM Artifact a JOIN Type t ON t.id = a.type_id")
        aprops = _q(
            conn,
            "SELECT artifact_id, name, int_value FROM ArtifactProperty "
            "WHERE name IN ('span', 'pushed') AND int_value IS NOT NULL",
        )
        stats_text = _q(
            conn,
            "SELECT p.artifact_id, p.string_value AS stats, c.name AS pipeline FROM ArtifactProperty p "
            "JOIN Attribution at ON at.artifact_id = p.artifact_id JOIN Context c ON c.id = at.context_id "
            "JOIN Type t ON t.id = c.type_id WHERE p.name = 'feature_stats' AND t.name = 'pipeline'",
        )
        tprops = _q(
            conn,
            "SELECT execution_id AS id, name, string_value FROM ExecutionProperty "
            "WHERE name IN ('model_type', 'module_path')",
        )
    finally:
        conn.close()

    tr = ex[ex["is_trainer"] & ~ex["cached"]].copy()
    props = tprops.pivot_table(index="id", columns="name", values="string_value", aggfunc="first")
    tr = tr.merge(props, left_on="id", right_index=True, how="left")
    for col in ("model_type", "module_path"):
        if col not in tr:
            tr[col] = None

    # pushed: walk descendants through non-CACHED, non-Trainer executions
    live = ex[~ex["cached"]]
    outputs = ev[ev["type"] == 4].merge(live[["id"]], left_on="execution_id", right_on="id")[
        ["execution_id", "artifact_id"]
    ]
    inputs = ev[ev["type"] == 3].merge(live[~live["is_trainer"]][["id"]], left_on="execution_id", right_on="id")[
        ["artifact_id", "execution_id"]
    ]
    frontier = outputs[outputs["execution_id"].isin(tr["id"])].rename(columns={"execution_id": "root"})
    seen = pd.DataFrame({"root": pd.Series(dtype="int64"), "execution_id": pd.Series(dtype="int64")})
    for _ in range(12):
        nxt = frontier.merge(inputs, on="artifact_id")[["root", "execution_id"]].drop_duplicates()
        nxt = nxt.merge(seen, how="left", indicator=True)
        nxt = nxt[nxt["_merge"] == "left_only"][["root", "execution_id"]]
        if nxt.empty:
            break
        seen = pd.concat([seen, nxt], ignore_index=True)
        frontier = nxt.merge(outputs, on="execution_id")[["root", "artifact_id"]].drop_duplicates()
    pushers = live[live["short"] == "Pusher"][["id", "state"]]
    pushed_prop = aprops[aprops["name"] == "pushed"][["artifact_id", "int_value"]]
    push_out = outputs[outputs["execution_id"].isin(pushers["id"])].merge(
        art.rename(columns={"id": "artifact_id"}), on="artifact_id"
    )
    push_out = push_out[push_out["atype"] == "PushedModel"].merge(pushed_prop, on="artifact_id", how="left")
    push_out = push_out.merge(pushers.rename(columns={"id": "execution_id"}), on="execution_id")
    complete = push_out["state"] == 3  # an unflagged output counts only when its Pusher COMPLETEd
    push_out["did_push"] = (push_out["int_value"] == 1) | (push_out["int_value"].isna() & complete)
    pushing = set(push_out.loc[push_out["did_push"], "execution_id"])
    seen["push"] = seen["execution_id"].isin(pushing)
    roots_pushed = set(seen.loc[seen["push"], "root"])
    tr["pushed"] = tr["id"].isin(roots_pushed).astype(int)

    # input span sets: spans of the Examples artifacts each Trainer reads
    span = aprops[aprops["name"] == "span"][["artifact_id", "int_value"]].rename(columns={"int_value": "span"})
    examples = art[art["atype"] == "Examples"][["id"]].rename(columns={"id": "artifact_id"})
    tin = ev[(ev["type"] == 3) & ev["execution_id"].isin(tr["id"])]
    tspans = tin.merge(examples, on="artifact_id").merge(span, on="artifact_id")
    span_sets: dict[int, frozenset[int]] = {}
    for eid, sp in zip(tspans["execution_id"].to_numpy(), tspans["span"].to_numpy(), strict=True):
        span_sets[int(eid)] = span_sets.get(int(eid), frozenset()) | {int(sp)}
    tr["spans"] = pd.Series([span_sets.get(int(i)) for i in tr["id"]], index=tr.index, dtype=object)

    # warm start: a Trainer reads a Model written by the same Trainer node in another pipeline_run
    models = art[art["atype"] == "Model"][["id"]].rename(columns={"id": "artifact_id"})
    trainers = live[live["is_trainer"]][["id", "run", "node"]]
    producer = (
        outputs.merge(models, on="artifact_id")
        .merge(trainers, left_on="execution_id", right_on="id")[["artifact_id", "run", "node"]]
        .rename(columns={"run": "producer_run", "node": "producer_node"})
    )
    model_in = ev[ev["type"] == 3].merge(
        ex[ex["is_trainer"]][["id", "run", "node", "pipeline"]], left_on="execution_id", right_on="id"
    )
    model_in = model_in.merge(producer, on="artifact_id")
    warm = (model_in["run"] != model_in["producer_run"]) & (model_in["node"] == model_in["producer_node"])
    warm_pipes = set(model_in.loc[warm, "pipeline"])

    pipes = ex.dropna(subset=["pipeline"]).groupby("pipeline").agg(first=("created", "min"), last=("updated", "max"))
    pipes["graphlets"] = tr.groupby("pipeline").size().reindex(pipes.index).fillna(0).astype(int)
    pipes["warm"] = pipes.index.isin(warm_pipes)
    pipes = pipes.reset_index()
    pipes.insert(0, "store", path.name)
    g = tr[["pipeline", "id", "created", "state", "model_type", "module_path", "pushed", "spans"]].rename(
        columns={"id": "trainer_id", "module_path": "code"}
    )
    g.insert(0, "store", path.name)
    stats_text = stats_text.merge(span, on="artifact_id")
    span_stats = {
        (path.name, str(pipe), int(sp)): json.loads(text)
        for pipe, sp, text in zip(stats_text["pipeline"], stats_text["span"], stats_text["stats"], strict=True)
    }
    return CorpusStats(g.reset_index(drop=True), pipes, span_stats)


def corpus_stats(out_dir: Path) -> CorpusStats:
    parts = [store_stats(p) for p in store_paths(out_dir)]
    if not parts:
        raise FileNotFoundError(f"no MLMD stores under {Path(out_dir) / 'stores'}")
    return CorpusStats(
        pd.concat([p.graphlets for p in parts], ignore_index=True),
        pd.concat([p.pipelines for p in parts], ignore_index=True),
        {k: v for p in parts for k, v in p.span_stats.items()},
    )


def _jaccard(a: object, b: object) -> float:
    if not isinstance(a, frozenset) or not isinstance(b, frozenset):
        return math.nan
    union = len(a | b)
    return len(a & b) / union if union else math.nan


def _dataset_similarity(st: CorpusStats, store: str, pipeline: str, a: object, b: object) -> float:
    if not isinstance(a, frozenset) or not isinstance(b, frozenset):
        return math.nan
    pairs = [
        (st.span_stats.get((store, pipeline, x)), st.span_stats.get((store, pipeline, y)))
        for x, y in zip(sorted(a), sorted(b), strict=False)
    ]
    return float(dataset_similarity(pairs))


def consecutive_pairs(st: CorpusStats) -> pd.DataFrame:
    """One row per pair of consecutive graphlets: pipeline, jaccard of span sets, dataset similarity,
    code unchanged, and whether the later graphlet was pushed."""
    g = st.graphlets.sort_values(["store", "pipeline", "created", "trainer_id"]).reset_index(drop=True)
    same = (g["store"] == g["store"].shift()) & (g["pipeline"] == g["pipeline"].shift())
    prev_spans = g["spans"].shift()
    rows = zip(g["store"], g["pipeline"], prev_spans, g["spans"], same, strict=True)
    jac, sim = [], []
    for store, pipe, a, b, s in rows:
        jac.append(_jaccard(a, b) if s else math.nan)
        sim.append(_dataset_similarity(st, str(store), str(pipe), a, b) if s else math.nan)
    pairs = pd.DataFrame(
        {
            "store": g["store"],
            "pipeline": g["pipeline"],
            "same": same,
            "jaccard": jac,
            "dataset_similarity": sim,
            "code_same": (g["code"] == g["code"].shift()) & g["code"].notna(),
            "pushed": g["pushed"],
        }
    )
    return pairs[pairs["same"]].reset_index(drop=True)


def bins(values: np.ndarray) -> list[float]:
    """Shares (%) of values in Table 1's bins [0,.25], (.25,.5], (.5,.75], (.75,1]."""
    if values.size == 0:
        return [math.nan] * 4
    edges = np.digitize(values, [0.25, 0.5, 0.75], right=True)
    return [100.0 * float((edges == k).mean()) for k in range(4)]


def unpushed_between_pushes(graphlets: pd.DataFrame) -> list[int]:
    gaps: list[int] = []
    g = graphlets.sort_values(["store", "pipeline", "created", "trainer_id"])
    for _, grp in g.groupby(["store", "pipeline"], sort=False):
        idx = np.flatnonzero(grp["pushed"].to_numpy() == 1)
        gaps.extend(int(x) for x in np.diff(idx) - 1)
    return gaps


def check(out_dir: Path) -> list[CheckRow]:
    """The calibration table: the study's statistics recomputed from the stores vs their targets."""
    st = corpus_stats(out_dir)
    g, p = st.graphlets, st.pipelines
    life_days = ((p["last"] - p["first"]) / 86_400_000.0).to_numpy(dtype=float)
    per_day = p["graphlets"].to_numpy(dtype=float) / np.maximum(life_days, 1.0)
    pairs = consecutive_pairs(st)
    jac = pairs["jaccard"].dropna().to_numpy()
    sim_pairs = pairs.dropna(subset=["dataset_similarity"])
    sim = sim_pairs["dataset_similarity"].to_numpy(dtype=float)
    sim_avg = sim_pairs.groupby(["store", "pipeline"])["dataset_similarity"].mean().to_numpy(dtype=float)
    gaps = unpushed_between_pushes(g)
    warm_pipes = set(zip(p.loc[p["warm"], "store"], p.loc[p["warm"], "pipeline"], strict=True))
    in_warm = [(s, n) in warm_pipes for s, n in zip(g["store"], g["pipeline"], strict=True)]
    pushing = set(zip(g.loc[g["pushed"] == 1, "store"], g.loc[g["pushed"] == 1, "pipeline"], strict=True))

    def pct(x: float) -> float:
        return 100.0 * x

    def share(mask: object) -> float:
        arr = np.asarray(mask, dtype=float)
        return pct(float(arr.mean())) if arr.size else math.nan

    def mean(x: object) -> float:
        arr = np.asarray(x, dtype=float)
        return float(arr.mean()) if arr.size else math.nan

    return [
        CheckRow("pipeline lifespan, mean (days)", mean(life_days), STUDY["lifespan_mean_days"], 0.10, "relative"),
        CheckRow(
            "pipeline lifespan, max (days)",
            float(life_days.max()) if len(p) else math.nan,
            STUDY["lifespan_max_days"],
            0.10,
            "relative",
        ),
        CheckRow("models trained per day, mean", mean(per_day), STUDY["models_per_day_mean"], 0.10, "relative"),
        CheckRow(
            "pipelines above 100 models/day (%)",
            share(per_day > 100),
            STUDY["pipelines_above_100_per_day_pct"],
            0.0,
            "above",
            "%",
        ),
        CheckRow("DNN trainer runs (%)", share(g["model_type"] == "DNN"), STUDY["dnn_pct"], 0.10, "relative", "%"),
        CheckRow("unpushed graphlets (%)", share(g["pushed"] == 0), STUDY["unpushed_pct"], 0.10, "relative", "%"),
        CheckRow(
            "pipelines that pushed a model (%)",
            share([(s, n) in pushing for s, n in zip(p["store"], p["pipeline"], strict=True)]),
            STUDY["pushing_pipelines_pct"],
            0.0,
            "points",
            "%",
        ),
        CheckRow(
            "unpushed between consecutive pushes, mean",
            mean(gaps),
            STUDY["unpushed_between_pushes_mean"],
            0.10,
            "relative",
        ),
        CheckRow("Jaccard of consecutive input spans, mean", mean(jac), STUDY["jaccard_mean"], 0.10, "relative"),
        CheckRow("Jaccard in (.75,1] (%)", share(jac > 0.75), STUDY["jaccard_top_bin_pct"], 5.0, "points", "%"),
        CheckRow("Jaccard in [0,.25] (%)", share(jac <= 0.25), STUDY["jaccard_bottom_bin_pct"], 5.0, "points", "%"),
        CheckRow(
            "code unchanged between consecutive graphlets (%)",
            share(pairs["code_same"]),
            STUDY["code_unchanged_pct"],
            0.10,
            "relative",
            "%",
        ),
        CheckRow(
            "graphlets in warm-starting pipelines (%)",
            share(in_warm),
            STUDY["warm_start_graphlets_pct"],
            0.10,
            "relative",
            "%",
        ),
        *_similarity_rows("dataset similarity", sim, DATASET_SIM_BINS, DATASET_SIM_MEAN),
        *_similarity_rows(
            "per-pipeline average dataset similarity", sim_avg, AVG_DATASET_SIM_BINS, AVG_DATASET_SIM_MEAN
        ),
        *[
            CheckRow(
                f"dataset similarity to the previous graphlet, {label}",
                mean(sim_pairs.loc[sim_pairs["pushed"] == k, "dataset_similarity"]),
                TABLE2_SIM[k],
                0.10,
                "relative",
            )
            for k, label in ((1, "pushed"), (0, "unpushed"))
        ],
        *[
            CheckRow(
                f"code unchanged from the previous graphlet, {label} (%)",
                share(pairs.loc[pairs["pushed"] == k, "code_same"]),
                100 * TABLE2_CODE[k],
                0.10,
                "relative",
                "%",
            )
            for k, label in ((1, "pushed"), (0, "unpushed"))
        ],
    ]


def _similarity_rows(label: str, values: np.ndarray, targets: tuple[float, ...], mean: float) -> list[CheckRow]:
    """Table 1 rows: each bin within 5 points, the mean within 10%."""
    shares = bins(values)
    rows = [
        CheckRow(f"{label} in {b} (%)", v, t, 5.0, "points", "%")
        for b, v, t in zip(BIN_NAMES, shares, targets, strict=True)
    ]
    avg = float(values.mean()) if values.size else math.nan
    return [*rows, CheckRow(f"{label}, mean", avg, mean, 0.10, "relative")]


def format_check_table(rows: list[CheckRow], title: str = "Calibration vs the study (docs/generator.md)") -> object:
    """A rich Table of check rows (print it with a rich Console)."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("statistic")
    table.add_column("ours", justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="center")
    for r in rows:
        mark = "[green]pass[/green]" if r.passed else "[red]miss[/red]"
        table.add_row(r.name, f"{r.ours:.3g}" if abs(r.ours) < 1 else f"{r.ours:.2f}", r.describe_target(), mark)
    return table


def format_check_text(rows: list[CheckRow]) -> str:
    """The same table as plain Markdown (for READMEs and logs)."""
    lines = ["| statistic | ours | target | |", "|---|---:|---:|:-:|"]
    for r in rows:
        lines.append(f"| {r.name} | {r.ours:.3f} | {r.describe_target()} | {r.status} |")
    return "\n".join(lines)
