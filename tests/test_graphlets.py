"""Model graphlets (docs/graphlets.md) against a real Neo4j: hand-built MLMD traces (one per rule, exact member
sets) and the real fixture stores (counts made independently with SQL)."""

from __future__ import annotations

import math
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlprov.db import Warehouse
from mlprov.graphlets.builder import GraphletReport, build_graphlets
from mlprov.loader.load import Loader
from tests.mlmd_builder import MlmdBuilder, ms


@dataclass
class G:
    props: dict[str, Any]
    execs: set[int]
    arts: set[int]
    next: str | None

    @property
    def pushed(self) -> bool | None:
        return self.props.get("pushed")


def _ids(members: list[str], kind: str) -> set[int]:
    return {int(m.rsplit(":", 1)[1]) for m in members if m.split(":")[-2] == kind}


def graphlets(wh: Warehouse, store: str) -> dict[int, G]:
    """The store's graphlets by trainer MLMD id."""
    return {
        int(r["graphlet"]["trainer_mlmd_id"]): G(
            r["graphlet"], _ids(r["members"], "e"), _ids(r["members"], "a"), r["next"]
        )
        for r in wh.read("graphlets/list", store=store)
    }


def load_and_build(wh: Warehouse, path: Path, store: str = "t", **kwargs: Any) -> GraphletReport:
    Loader(wh).load(str(path), store=store)
    return build_graphlets(wh, **kwargs)


def build(wh: Warehouse, tmp_path: Path, b: MlmdBuilder, store: str = "t") -> dict[int, G]:
    load_and_build(wh, b.write(tmp_path / f"{store}.sqlite"), store)
    return graphlets(wh, store)


def execution_costs(wh: Warehouse, store: str) -> dict[str, float]:
    return {
        r["uid"]: float(r["props"]["cost"])
        for r in wh.read("admin/store_nodes", store=store)
        if "Execution" in r["labels"]
    }


def assert_costs_add_up(wh: Warehouse, store: str) -> None:
    rows = wh.read("graphlets/list", store=store)
    costs = execution_costs(wh, store)
    held = {m for r in rows for m in r["members"] if m in costs}
    total = sum(float(r["graphlet"]["cost"]) for r in rows)
    assert math.isclose(total, sum(costs[m] for m in held), rel_tol=1e-9, abs_tol=1e-6)
    for r in rows:
        g = r["graphlet"]
        stages = sum(float(v) for k, v in g.items() if k.startswith("cost_"))
        assert math.isclose(stages, float(g["cost"]), rel_tol=1e-9, abs_tol=1e-9)


# -- hand-built traces, one per rule ------------------------------------------------------------


def test_warm_start_cuts_the_earlier_trainer_and_keeps_its_model_as_input(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    eg1, (ex1,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    t1, (m1,) = b.step("Trainer", 2, 3, inputs=[ex1], outputs=["Model"])
    eg2, (ex2,) = b.step("CsvExampleGen", 4, 5, outputs=["Examples"], span=2)
    t2, (m2,) = b.step("Trainer", 6, 7, inputs=[ex2, m1], outputs=["Model"])
    gs = build(warehouse, tmp_path, b)
    assert set(gs) == {t1, t2}
    assert (gs[t2].execs, gs[t2].arts) == ({eg2, t2}, {ex2, m1, m2})
    assert (gs[t1].execs, gs[t1].arts) == ({eg1, t1}, {ex1, m1})
    assert gs[t1].next == f"t:g:{t2}" and gs[t2].next is None
    assert gs[t1].pushed is None  # no Pusher decided
    # history facts: t2's own work (eg2, t2) starts at 4, after t1's graphlet ended (3)
    assert (gs[t1].props["own_start"], gs[t1].props["prev_in_time"]) == (ms(0), [])
    assert (gs[t2].props["own_start"], gs[t2].props["prev_in_time"]) == (ms(4), [True])
    assert_costs_add_up(warehouse, "t")


def test_distillation_chain(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    eg, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    teacher, (mt,) = b.step("Trainer", 2, 3, inputs=[ex], outputs=["Model"])
    ev_t, (bt,) = b.step("Evaluator", 4, 5, inputs=[mt, ex], outputs=["ModelBlessing"])
    student, (ms_,) = b.step("Trainer", 6, 7, inputs=[ex, mt], outputs=["Model"])
    ev_s, (bs,) = b.step("Evaluator", 8, 9, inputs=[ms_, ex], outputs=["ModelBlessing"])
    push, (pm,) = b.step("Pusher", 10, 11, inputs=[ms_, bs], outputs=["PushedModel"], out_props={"pushed": 1})
    gs = build(warehouse, tmp_path, b)
    assert (gs[teacher].execs, gs[teacher].arts) == ({eg, teacher, ev_t}, {ex, mt, bt})
    assert (gs[student].execs, gs[student].arts) == ({eg, student, ev_s, push}, {ex, mt, ms_, bs, pm})
    assert gs[teacher].pushed is None and gs[student].pushed is True
    assert_costs_add_up(warehouse, "t")


def test_parallel_ab_trainers_share_inputs_and_split_their_cost(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    eg, (ex,) = b.step("CsvExampleGen", 0, 10, outputs=["Examples"], span=1)
    sg, (st,) = b.step("StatisticsGen", 11, 12, inputs=[ex], outputs=["ExampleStatistics"], span=1)
    sc, (schema,) = b.step("SchemaGen", 13, 14, inputs=[st], outputs=["Schema"])
    val, (anom,) = b.step("ExampleValidator", 15, 16, inputs=[st, schema], outputs=["ExampleAnomalies"])
    tf, (tex, tg) = b.step("Transform", 17, 27, inputs=[ex, schema], outputs=["Examples", "TransformGraph"], span=1)
    ta, (ma,) = b.step("Trainer", 30, 50, inputs=[tex, tg, schema], outputs=["Model"])
    tb, (mb,) = b.step("Trainer", 30, 60, inputs=[tex, tg, schema], outputs=["Model"])
    eva, (ba,) = b.step("Evaluator", 61, 62, inputs=[ma, ex], outputs=["ModelBlessing"])
    evb, (bb,) = b.step("Evaluator", 61, 63, inputs=[mb, ex], outputs=["ModelBlessing"])
    pa, (pma,) = b.step("Pusher", 64, 65, inputs=[ma, ba], outputs=["PushedModel"], out_props={"pushed": 1})
    pb, (pmb,) = b.step("Pusher", 64, 66, inputs=[mb, bb], outputs=["PushedModel"], out_props={"pushed": 0})
    gs = build(warehouse, tmp_path, b)
    shared = {eg, sg, sc, val, tf}
    shared_arts = {ex, st, schema, anom, tex, tg}
    assert (gs[ta].execs, gs[ta].arts) == (shared | {ta, eva, pa}, shared_arts | {ma, ba, pma})
    assert (gs[tb].execs, gs[tb].arts) == (shared | {tb, evb, pb}, shared_arts | {mb, bb, pmb})
    assert (gs[ta].pushed, gs[tb].pushed) == (True, False)
    # shared pre-trainer work (10+1+1+1+10 s) is split in two; each trainer's own work is its own
    assert gs[ta].props["cost"] == pytest.approx(23 / 2 + 20 + 1 + 1)
    assert gs[tb].props["cost"] == pytest.approx(23 / 2 + 30 + 2 + 2)
    assert gs[ta].props["cost_training"] == pytest.approx(20)
    assert gs[ta].props["cost_preprocessing"] == pytest.approx(5)
    # A and B start together: ties are broken by trainer id
    assert gs[ta].next == f"t:g:{tb}"
    # B's own work (its trainer, evaluator, pusher) starts at 30, before A's graphlet ended (65)
    assert (gs[tb].props["own_start"], gs[tb].props["prev_in_time"]) == (ms(30), [False])
    assert_costs_add_up(warehouse, "t")


def test_history_facts_compare_each_predecessor_with_the_work_it_does_not_hold(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    b = MlmdBuilder()
    eg1, (ex1,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    eg2, (ex2,) = b.step("CsvExampleGen", 2, 3, outputs=["Examples"], span=2)
    t1, _ = b.step("Trainer", 4, 5, inputs=[ex1, ex2], outputs=["Model"])
    eg3, (ex3,) = b.step("CsvExampleGen", 6, 7, outputs=["Examples"], span=3)
    t2, _ = b.step("Trainer", 8, 20, inputs=[ex2, ex3], outputs=["Model"])
    eg4, (ex4,) = b.step("CsvExampleGen", 9, 10, outputs=["Examples"], span=4)
    t3, _ = b.step("Trainer", 21, 22, inputs=[ex3, ex4], outputs=["Model"])
    gs = build(warehouse, tmp_path, b)
    assert [gs[t].execs for t in (t1, t2, t3)] == [{eg1, eg2, t1}, {eg2, eg3, t2}, {eg3, eg4, t3}]
    assert (gs[t2].props["own_start"], gs[t2].props["prev_in_time"]) == (ms(6), [True])  # t1's ended at 5
    # against t2 (ended 20) t3's own work (eg4, t3) starts at 9; against t1 (ended 5) it is eg3, eg4, t3: 6
    assert (gs[t3].props["own_start"], gs[t3].props["prev_in_time"]) == (ms(9), [False, True])


def test_rule_b_takes_analysis_of_held_spans_up_to_the_trainer_end(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    eg, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    other_eg, (other,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=9)
    sg, (st,) = b.step("StatisticsGen", 2, 3, inputs=[ex], outputs=["ExampleStatistics"], span=1)
    sc, (schema,) = b.step("SchemaGen", 4, 5, inputs=[st], outputs=["Schema"])
    tf, (tex,) = b.step("Transform", 6, 7, inputs=[ex, schema], outputs=["Examples"], span=1)
    # not ancestors of the trainer:
    val, (anom,) = b.step("ExampleValidator", 8, 9, inputs=[st, schema], outputs=["ExampleAnomalies"])
    sg2, (st2,) = b.step("StatisticsGen", 8, 9, inputs=[ex], outputs=["ExampleStatistics"], span=1)
    tr, (m,) = b.step("Trainer", 10, 20, inputs=[tex, schema], outputs=["Model"])
    sg_late, _ = b.step("StatisticsGen", 21, 22, inputs=[ex], outputs=["ExampleStatistics"], span=1)
    sg_other, _ = b.step("StatisticsGen", 8, 9, inputs=[other], outputs=["ExampleStatistics"], span=9)
    sg_cached, _ = b.step("StatisticsGen", 8, 9, inputs=[ex], outputs=["ExampleStatistics"], span=1, state="CACHED")
    tf2, _ = b.step("Transform", 8, 9, inputs=[ex, schema], outputs=["Examples"], span=1)
    gs = build(warehouse, tmp_path, b)
    assert gs[tr].execs == {eg, sg, sc, tf, tr, val, sg2}
    assert gs[tr].arts == {ex, st, schema, tex, m, anom, st2}
    assert not {sg_late, sg_other, sg_cached, tf2, other_eg} & gs[tr].execs


def test_rule_c_excludes_descendants_that_lead_to_another_trainer(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    eg, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    t1, (m1,) = b.step("Trainer", 2, 3, inputs=[ex], outputs=["Model"])
    ev, (bl,) = b.step("Evaluator", 4, 5, inputs=[m1, ex], outputs=["ModelBlessing"])
    exporter, (exported, note) = b.step("my.ModelExporter", 4, 5, inputs=[m1], outputs=["Model", "Report"])
    notifier, (receipt,) = b.step("my.Notifier", 6, 7, inputs=[note], outputs=["Receipt"])
    t2, (m2,) = b.step("Trainer", 8, 9, inputs=[ex, exported], outputs=["Model"])
    after, _ = b.step("my.Analyzer", 10, 11, inputs=[m2], outputs=["Report"])
    gs = build(warehouse, tmp_path, b)
    # the exporter leads to t2: not in t1's graphlet; the notifier after it leads nowhere: it is
    assert gs[t1].execs == {eg, t1, ev, notifier}
    assert gs[t1].arts == {ex, m1, bl, note, receipt}
    assert gs[t2].execs == {eg, exporter, t2, after}
    assert exporter not in gs[t1].execs and t1 not in gs[t2].execs
    assert_costs_add_up(warehouse, "t")


def test_cached_executions_are_skipped_and_cached_trainers_get_no_graphlet(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    b = MlmdBuilder()
    eg1, (ex1,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1, run="r1")
    tf1, (tex1,) = b.step("Transform", 2, 3, inputs=[ex1], outputs=["Examples"], span=1, run="r1")
    t1, (m1,) = b.step("Trainer", 4, 5, inputs=[tex1], outputs=["Model"], run="r1")
    eg2, (ex2,) = b.step("CsvExampleGen", 10, 11, outputs=["Examples"], span=2, run="r2")
    # run 2's Transform was cached: it read the new span and re-published run 1's output
    tf2 = b.execution("Transform", 12, 12.1, state="CACHED", run="r2")
    b.read(ex2, tf2)
    b.write_event(tf2, tex1)
    t2, (m2,) = b.step("Trainer", 13, 14, inputs=[tex1], outputs=["Model"], run="r2")
    # a cached Trainer re-publishing run 1's model, read by a later Evaluator
    t1c = b.execution("Trainer", 15, 15.1, state="CACHED", run="r2")
    b.read(tex1, t1c)
    b.write_event(t1c, m1)
    ev, (bl,) = b.step("Evaluator", 16, 17, inputs=[m1], outputs=["ModelBlessing"], run="r2")
    gs = build(warehouse, tmp_path, b)
    assert set(gs) == {t1, t2}
    assert (gs[t2].execs, gs[t2].arts) == ({eg1, tf1, t2}, {ex1, tex1, m2})
    assert (gs[t1].execs, gs[t1].arts) == ({eg1, tf1, t1, ev}, {ex1, tex1, m1, bl})
    assert not {eg2, tf2, t1c} & (gs[t1].execs | gs[t2].execs)
    assert_costs_add_up(warehouse, "t")


def test_paths_respect_event_time(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    eg, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    tr, (m,) = b.step("Trainer", 2, 3, inputs=[ex], outputs=["Model"])
    # a later (non-cached) writer of the same artifact cannot have fed the trainer
    late = b.execution("my.Republisher", 5, 6)
    b.write_event(late, ex)
    # an execution that read the model before it was written is not a descendant
    early = b.execution("my.Reader", 1, 2.5)
    b.read(m, early, time=2.5)
    ok = b.execution("my.Reader", 4, 5)
    b.read(m, ok)
    gs = build(warehouse, tmp_path, b)
    assert gs[tr].execs == {eg, tr, ok}


@pytest.mark.parametrize(
    ("state", "props", "expected"),
    [
        ("RUNNING", {}, None),  # unfinished Pusher: undecided
        ("COMPLETE", {"pushed": 0}, False),
        ("COMPLETE", {}, True),  # completed with an output and no `pushed` property
        ("COMPLETE", {"pushed": 1}, True),
    ],
    ids=["unfinished", "pushed0", "no-property", "pushed1"],
)
def test_pushed_decided_by_pushers(
    warehouse: Warehouse, tmp_path: Path, state: str, props: dict[str, int], expected: bool | None
) -> None:
    b = MlmdBuilder()
    eg, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    tr, (m,) = b.step("Trainer", 2, 3, inputs=[ex], outputs=["Model"])
    ev, (bl,) = b.step("Evaluator", 4, 5, inputs=[m, ex], outputs=["ModelBlessing"])
    push, (pm,) = b.step("Pusher", 6, 7, inputs=[m, bl], outputs=["PushedModel"], out_props=props, state=state)
    gs = build(warehouse, tmp_path, b)
    assert (gs[tr].execs, gs[tr].arts) == ({eg, tr, ev, push}, {ex, m, bl, pm})
    assert gs[tr].pushed is expected


def test_failed_trainer_keeps_a_flagged_graphlet_with_pushed_undecided(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    eg, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1, run="r1")
    bad, _ = b.step("Trainer", 2, 3, inputs=[ex], state="FAILED", run="r1")
    good, (m,) = b.step("Trainer", 10, 11, inputs=[ex], outputs=["Model"], run="r2")
    b.step("Pusher", 12, 13, inputs=[m], outputs=["PushedModel"], out_props={"pushed": 1}, run="r2")
    gs = build(warehouse, tmp_path, b)
    assert (gs[bad].execs, gs[bad].arts) == ({eg, bad}, {ex})
    assert gs[bad].props["trainer_state"] == "FAILED" and gs[bad].pushed is None
    assert gs[good].pushed is True and gs[good].props["trainer_state"] == "COMPLETE"
    assert gs[bad].next == f"t:g:{good}"
    assert gs[good].props["started"] == ms(0) and gs[good].props["ended"] == ms(13)


def test_rebuild_touches_only_changed_graphlets(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    _, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1)
    t1, (m1,) = b.step("Trainer", 2, 3, inputs=[ex], outputs=["Model"])
    p1, _ = b.step("Pusher", 4, 5, inputs=[m1], outputs=["PushedModel"], state="RUNNING")
    t2, _ = b.step("Trainer", 6, 7, inputs=[ex], outputs=["Model"])
    path = b.write(tmp_path / "t.sqlite")
    first = load_and_build(warehouse, path)
    assert (first.created, first.updated, first.unchanged, first.pushed) == (2, 0, 0, 0)
    before = graphlets(warehouse, "t")
    again = build_graphlets(warehouse, force=True)
    assert (again.created, again.updated, again.unchanged, again.cost_updated, again.deleted) == (0, 0, 2, 0, 0)
    assert graphlets(warehouse, "t") == before

    # the Pusher finishes (an update of an existing row, as MLMD would record it)
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "UPDATE Execution SET last_known_state = 3, last_update_time_since_epoch = ? WHERE id = ?", (ms(100), p1)
        )
    db.close()
    report = load_and_build(warehouse, path)
    assert (report.created, report.updated, report.unchanged, report.pushed) == (0, 1, 1, 1)
    after = graphlets(warehouse, "t")
    assert after[t1].pushed is True
    # t2 is unchanged but for its history fact: t1's graphlet ended at 5, before t2's own start (6); now at 100
    assert (before[t2].props["prev_in_time"], after[t2].props["prev_in_time"]) == ([True], [False])
    before[t2].props["prev_in_time"] = [False]
    assert after[t2] == before[t2]
    assert_costs_add_up(warehouse, "t")


def test_pipeline_restriction_builds_only_that_pipeline(warehouse: Warehouse, tmp_path: Path) -> None:
    b = MlmdBuilder()
    _, (ex,) = b.step("CsvExampleGen", 0, 1, outputs=["Examples"], span=1, pipeline="a")
    ta, _ = b.step("Trainer", 2, 3, inputs=[ex], outputs=["Model"], pipeline="a")
    tb, _ = b.step("Trainer", 2, 3, inputs=[ex], outputs=["Model"], pipeline="b")
    report = load_and_build(warehouse, b.write(tmp_path / "t.sqlite"), pipeline="b")
    assert report.created == 1
    assert set(graphlets(warehouse, "t")) == {tb}
    report = build_graphlets(warehouse)
    assert (report.created, report.unchanged) == (1, 1)
    gs = graphlets(warehouse, "t")
    assert gs[ta].props["pipeline"] == "a" and gs[ta].next is None
    assert_costs_add_up(warehouse, "t")


# -- real fixture stores --------------------------------------------------------------------------

FIXTURE_STORES = [
    "redwine_pushers_v10.sqlite",
    "diabetes_localdag_failed_v10.sqlite",
    "drug_windows_localdag_v10.sqlite",
    "salary_mixed_dangling_v8.sqlite",
    "salary_localdag_failed_v8.sqlite",
    "sepsis_v7.sqlite",
    "coursera_interactive_v5.sqlite",
]


def sql_expected(path: Path) -> tuple[int, int]:
    """(graphlets, pushed graphlets) counted from the store with SQL: non-CACHED Trainer executions
    (short type name containing 'Trainer'); COMPLETE Pushers whose PushedModel records pushed = 1 or
    has no `pushed` property (each such Pusher pushes one trainer's model)."""
    db = sqlite3.connect(path)
    trainers = db.execute(
        "SELECT COUNT(*) FROM Execution x JOIN Type t ON t.id = x.type_id "
        "WHERE t.name LIKE '%Trainer%' AND COALESCE(x.last_known_state, 0) <> 5"
    ).fetchone()[0]
    pushed = db.execute(
        "SELECT COUNT(DISTINCT x.id) FROM Execution x JOIN Type t ON t.id = x.type_id "
        "JOIN Event e ON e.execution_id = x.id AND e.type = 4 "
        "JOIN Artifact a ON a.id = e.artifact_id JOIN Type at ON at.id = a.type_id AND at.name = 'PushedModel' "
        "LEFT JOIN ArtifactProperty p ON p.artifact_id = a.id AND p.name = 'pushed' "
        "WHERE t.name LIKE '%Pusher' AND x.last_known_state = 3 AND (p.int_value = 1 OR p.artifact_id IS NULL)"
    ).fetchone()[0]
    db.close()
    return int(trainers), int(pushed)


@pytest.mark.parametrize("name", FIXTURE_STORES)
def test_fixture_graphlet_and_pushed_counts_match_sql(
    warehouse: Warehouse, fixture_store: Callable[[str], Path], name: str
) -> None:
    path = fixture_store(name)
    n_graphlets, n_pushed = sql_expected(path)
    report = load_and_build(warehouse, path, store="s")
    assert (report.graphlets, report.pushed) == (n_graphlets, n_pushed)
    rows = warehouse.read("graphlets/list", store="s")
    assert len(rows) == n_graphlets
    assert sum(1 for r in rows if r["graphlet"].get("pushed")) == n_pushed
    for r in rows:
        g = r["graphlet"]
        assert g["trainer_uid"] in r["members"]
        if g["trainer_state"] != "COMPLETE":
            assert g.get("pushed") is None
    assert_costs_add_up(warehouse, "s")
    # NEXT: one chain per pipeline, in trainer start order
    by_pipeline: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["graphlet"].get("pipeline") is not None:
            by_pipeline.setdefault(r["graphlet"]["pipeline"], []).append(r)
    for chain in by_pipeline.values():
        chain.sort(key=lambda r: (r["graphlet"]["trainer_created"], r["graphlet"]["trainer_mlmd_id"]))
        assert [r["next"] for r in chain] == [r["graphlet"]["uid"] for r in chain[1:]] + [None]
    # idempotent: a rerun changes nothing
    before = rows
    for force in (False, True):
        again = build_graphlets(warehouse, force=force)
        assert (again.created, again.updated, again.deleted, again.cost_updated) == (0, 0, 0, 0)
        assert warehouse.read("graphlets/list", store="s") == before


def test_custom_trainer_components_get_graphlets(warehouse: Warehouse, fixture_store: Callable[[str], Path]) -> None:
    load_and_build(warehouse, fixture_store("salary_mixed_dangling_v8.sqlite"), store="s")
    rows = warehouse.read("graphlets/list", store="s")
    db = sqlite3.connect(fixture_store("salary_mixed_dangling_v8.sqlite"))
    custom = {
        f"s:e:{x}"
        for (x,) in db.execute(
            "SELECT x.id FROM Execution x JOIN Type t ON t.id = x.type_id "
            "WHERE t.name LIKE '%MyTrainerComponent' AND COALESCE(x.last_known_state, 0) <> 5"
        )
    }
    db.close()
    # every non-cached custom trainer, and nothing else, is a graphlet's trainer
    assert custom and {r["graphlet"]["trainer_uid"] for r in rows} == custom


def test_incremental_reload_of_a_growing_store_equals_a_clean_build(
    warehouse: Warehouse, fixture_store: Callable[[str], Path], tmp_path: Path
) -> None:
    v4, v7 = fixture_store("sepsis_v4.sqlite"), fixture_store("sepsis_v7.sqlite")
    growing = tmp_path / "sepsis.sqlite"
    shutil.copyfile(v4, growing)
    first = load_and_build(warehouse, growing, store="s")
    shutil.copyfile(v7, growing)
    second = load_and_build(warehouse, growing, store="s")
    assert second.created == sql_expected(v7)[0] - first.created
    # the store only grew: every graphlet of the first build is kept, either unchanged or rewritten
    assert second.deleted == 0
    assert second.unchanged + second.updated == first.created
    assert second.graphlets == sql_expected(v7)[0]
    incremental = warehouse.read("graphlets/list", store="s")
    warehouse.run_batched("admin/clear_graph")
    load_and_build(warehouse, v7, store="s")
    clean = warehouse.read("graphlets/list", store="s")

    def canon(rows: list[dict[str, Any]]) -> list[Any]:
        return [
            (
                {k: v for k, v in r["graphlet"].items() if k != "cost" and not k.startswith("cost_")},
                r["members"],
                r["next"],
                round(r["graphlet"]["cost"], 6),
            )
            for r in rows
        ]

    assert canon(incremental) == canon(clean)
