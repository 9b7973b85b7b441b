"""`mlprov load --bulk`: the bulk graph is the transactional graph; refusals; reloads after it; kill -9."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlprov.db import Warehouse
from mlprov.errors import MlprovError
from mlprov.loader import model
from mlprov.loader.load import check_source, load_all
from mlprov.loader.sources import expand_sources
from mlprov.queries import query
from mlprov.server import ManagedServer
from tests.conftest import FIXTURES, run_cli

# :Store properties that depend on when and how long the load ran
LOAD_TIME_FIELDS = {"loaded_at", "load_seconds"}


def _typed(value: Any) -> Any:
    """A value with its type spelled out, so 1, 1.0, True, "1" and b"1" all differ."""
    if isinstance(value, list):
        return ("list", tuple(_typed(v) for v in value))
    if isinstance(value, bytes | bytearray):
        return ("bytes", bytes(value).hex())
    return (type(value).__name__, value)


def _props(props: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, _typed(v)) for k, v in props.items()))


def snapshot(wh: Warehouse) -> dict[str, Any]:
    """Every store's nodes (labels, typed properties), relationships (with properties) and :Store node."""
    out: dict[str, Any] = {}
    for row in wh.read("load/stores"):
        name = row["name"]
        nodes = sorted(
            (tuple(sorted(r["labels"])), _props(r["props"])) for r in wh.read("admin/store_nodes", store=name)
        )
        rels = sorted(
            (r["source"], r["type"], r["target"], _props(r["props"]))
            for r in wh.read("admin/store_relationships", store=name)
        )
        store = wh.read("load/store_get", name=name)[0]["store"]
        out[name] = {
            "nodes": nodes,
            "relationships": rels,
            "store": _props({k: v for k, v in store.items() if k not in LOAD_TIME_FIELDS}),
        }
    return out


def _accepted(paths: list[str]) -> list[str]:
    ok = []
    for spec in paths:
        try:
            check_source(spec)
        except MlprovError:
            continue
        ok.append(spec)
    return ok


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated `small` corpus (seed 0)."""
    from mlprov.generator import generate

    out = tmp_path_factory.mktemp("small")
    generate(out, "small", seed=0)
    return out


@pytest.fixture
def sources(tmp_path: Path, small_dir: Path) -> list[str]:
    """Every fixture store `load` accepts and the `small` corpus's stores, copied."""
    copies = tmp_path / "sources"
    copies.mkdir()
    for path in [*sorted(FIXTURES.glob("*.sqlite")), *sorted((small_dir / "stores").glob("*.sqlite"))]:
        shutil.copyfile(path, copies / path.name)
    return _accepted(expand_sources([str(copies)]))


def _bulk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("load", "--bulk", *args, env=env, timeout=900)


def _ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stderr[-3000:]


def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0, proc.stdout[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert len(errors) == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return errors[0]


def test_load_statements_use_the_graph_model() -> None:
    """The transactional statements name the labels and types the bulk writer takes from the model."""
    for kind in model.NODES:
        assert f":{kind.label}" in query(f"load/first_{kind.table}").text
        assert f":{kind.label} {{uid: row.uid}}" in query(f"load/{kind.table}").text
    for rel in model.RELATIONSHIPS:
        for name in (f"load/first_{rel.table}", f"load/{rel.table}"):
            text = query(name).text
            assert f"[r:{rel.type}" in text and f"row.{rel.start}" in text and f"row.{rel.end}" in text, name
    assert "MERGE (s:Store {name: $name})" in query("load/store_begin").text


def test_bulk_graph_is_the_transactional_graph(warehouse: Warehouse, sources: list[str]) -> None:
    assert len(sources) >= 12  # 11 accepted fixtures and the small corpus
    load_all(warehouse, sources)
    transactional = snapshot(warehouse)
    assert len(transactional) == len(sources)
    version_node = "MATCH (w:Warehouse) RETURN properties(w) AS p"
    assert warehouse.read_text(version_node)[1] == [
        {"p": {"id": model.WAREHOUSE_ID, "graph_model_version": model.MODEL_VERSION}}
    ]
    warehouse.run_batched("admin/clear_graph")

    _ok(_bulk(*sources))
    bulk = snapshot(warehouse)
    # the graph model version node, imported with the stores: one, the same as the transactional load's
    assert warehouse.read_text(version_node)[1] == [
        {"p": {"id": model.WAREHOUSE_ID, "graph_model_version": model.MODEL_VERSION}}
    ]
    assert bulk.keys() == transactional.keys()
    for name in transactional:
        for part in ("store", "nodes", "relationships"):
            assert bulk[name][part] == transactional[name][part], f"{name}: {part} differ"
    assert all(warehouse.read("load/store_get", name=n)[0]["store"]["status"] == "complete" for n in bulk)

    # the same constraints and indexes as a transactional load
    names = {r["name"] for r in warehouse.read_text("SHOW INDEXES YIELD name RETURN name", limit=100)[1]}
    assert {
        "execution_uid",
        "artifact_uid",
        "context_uid",
        "store_name",
        "input_uid",
        "execution_pipeline",
        "artifact_pipeline",
        "warehouse_id",
    } <= names

    # afterwards a plain load of the same sources is a no-op ...
    proc = run_cli("load", *sources)
    _ok(proc)
    assert proc.stdout.count("up to date") == len(sources), proc.stdout[-2000:]
    assert snapshot(warehouse) == bulk


def test_values_a_csv_cannot_carry_go_the_transactional_way(warehouse: Warehouse, tmp_path: Path) -> None:
    """Events without a path (an empty list), empty and binary bytes, infinity, a property key a CSV
    header cannot name, a property whose type changes within a chunk: the bulk loader writes these
    rows after the import with the transactional statements (spooled as typed JSON lines), and the
    bulk graph is still the transactional graph, value types included."""
    from mlprov.loader.bulk import write_csv
    from tests.mlmd_builder import MlmdBuilder

    b = MlmdBuilder()
    train = b.execution("Trainer", 0, 5, props={"odd,key": "v", "mixed": 3, "ratio": 1.5, "flag": True})
    push = b.execution("Pusher", 6, 8, props={"mixed": "three", "empty": ""})
    plain = b.execution("Evaluator", 9, 10, props={"flag": False, "empty": ""})  # exact: through the CSV files
    model_id = b.artifact("Model", 5, note="a;b")
    examples = b.artifact("Examples", 1)
    b.write_event(train, model_id, 5)
    b.read(model_id, push, 6)
    store = b.write(tmp_path / "odd_values.sqlite")
    db = sqlite3.connect(store)
    with db:  # MLMD cannot write infinity, and keeps byte values base64-encoded
        db.execute("UPDATE ExecutionProperty SET double_value = 9e999 WHERE name = 'ratio'")
        db.executemany(
            "INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, byte_value) VALUES (?, ?, 1, ?)",
            [(examples, "blob", "AP+AYQ=="), (model_id, "nothing", "")],
        )
    db.close()
    files, _ = write_csv([str(store)], tmp_path / "csv")
    # the model artifact, the trainer and the pusher and both events go the spooled way; the
    # evaluator and the examples (with their bytes) go through the CSV files
    assert files.spooled == 5

    load_all(warehouse, [str(store)])
    transactional = snapshot(warehouse)
    warehouse.run_batched("admin/clear_graph")
    _ok(_bulk(str(store)))
    bulk = snapshot(warehouse)
    assert bulk == transactional
    nodes = {
        dict(props)["mlmd_id"][1]: dict(props) for labels, props in bulk["odd_values"]["nodes"] if "Artifact" in labels
    }
    assert nodes[examples]["c_blob"] == ("bytes", b"\x00\xff\x80a".hex())
    assert nodes[model_id]["c_nothing"] == ("bytes", "")
    assert nodes[model_id]["c_note"] == ("str", "a;b")
    executions = {dict(p)["mlmd_id"][1]: dict(p) for labels, p in bulk["odd_values"]["nodes"] if "Execution" in labels}
    assert executions[train]["c_ratio"] == ("float", float("inf"))
    assert executions[train]["c_odd,key"] == ("str", "v")
    assert (executions[train]["c_mixed"], executions[push]["c_mixed"]) == (("int", 3), ("str", "three"))
    assert executions[push]["c_empty"] == executions[plain]["c_empty"] == ("str", "")
    assert (executions[train]["c_flag"], executions[plain]["c_flag"]) == (("bool", True), ("bool", False))
    assert all(
        dict(p)["path"] == ("list", ()) for _, _, _, p in bulk["odd_values"]["relationships"] if "path" in dict(p)
    )


def test_reload_prune_and_replace_after_bulk(warehouse: Warehouse, tmp_path: Path) -> None:
    store = tmp_path / "redwine_pushers_v10.sqlite"
    shutil.copyfile(FIXTURES / store.name, store)
    _ok(_bulk(str(store)))
    loaded = snapshot(warehouse)["redwine_pushers_v10"]
    db = sqlite3.connect(store)
    gone = db.execute("SELECT MAX(id) FROM Execution").fetchone()[0]
    db.execute("DELETE FROM Execution WHERE id = ?", (gone,))
    db.commit()
    db.close()
    _ok(run_cli("load", str(store), "--prune"))
    uids = {dict(p)["uid"][1] for _, p in snapshot(warehouse)["redwine_pushers_v10"]["nodes"]}
    assert f"redwine_pushers_v10:e:{gone}" not in uids
    assert len(uids) == len(loaded["nodes"]) - 1

    _ok(run_cli("load", str(store), "--replace"))
    warehouse_after = snapshot(warehouse)["redwine_pushers_v10"]
    assert len(warehouse_after["nodes"]) == len(loaded["nodes"]) - 1
    assert dict(warehouse_after["store"])["status"] == ("str", "complete")


def test_refusals_are_one_line_and_change_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    good = tmp_path / "sepsis_v7.sqlite"
    shutil.copyfile(FIXTURES / good.name, good)

    # a source the normal checks refuse, beside a good one
    bad = tmp_path / "zero.sqlite"
    bad.write_bytes(b"")
    line = _error_line(_bulk(str(good), str(bad)))
    assert str(bad) in line and "empty file" in line
    assert warehouse.read("load/bulk_target")[0]["nodes"] == 0

    # a remote server: the transactional loader is the way
    status = ManagedServer().status()
    line = _error_line(_bulk(str(good), env={"NEO4J_URI": str(status.uri), "NEO4J_PASSWORD": "x"}))
    assert "NEO4J_URI" in line and "mlprov load" in line

    # too little free disk, estimated before anything is written: a store file of 2 TiB (sparse)
    huge = tmp_path / "huge.sqlite"
    shutil.copyfile(good, huge)
    os.truncate(huge, 2 * 2**40)
    line = _error_line(_bulk(str(huge)))
    assert "GB free" in line and "needs about" in line
    assert not (Path(os.environ["MLPROV_HOME"]) / "neo4j" / "bulk" / "csv").exists()

    # the warehouse is not empty: say what to do instead
    _ok(run_cli("load", str(good)))
    before = snapshot(warehouse)
    line = _error_line(_bulk(str(good)))
    assert "empty warehouse" in line and "mlprov load" in line and "mlprov reset --yes" in line
    assert snapshot(warehouse) == before


def test_two_sources_with_one_name_are_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "same.sqlite", tmp_path / "b" / "same.sqlite"
    for path in (a, b):
        path.parent.mkdir()
        shutil.copyfile(FIXTURES / "sepsis_v1.sqlite", path)
    line = _error_line(_bulk(str(a), str(b)))
    assert str(b) in line and "a second source named 'same'" in line
    assert _counts(warehouse) == (0, 0)


# -- kill -9 ----------------------------------------------------------------------------------------


def _importer_running(home: Path) -> bool:
    """Whether an importer of this MLPROV_HOME runs (its command line names the staging directory)."""
    marker = str(home / "neo4j" / "bulk" / "stage").encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"AdminTool" in cmd and marker in cmd:
            return True
    return False


def _csv_bytes(home: Path) -> int:
    csv = home / "neo4j" / "bulk" / "csv"
    try:
        return sum(f.stat().st_size for f in csv.rglob("*.csv"))
    except OSError:
        return 0


def _start_bulk(*args: str) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("mlprov")
    return subprocess.Popen(
        [str(exe), "load", "--bulk", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _wait_for(proc: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 600) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            return True
        time.sleep(0.01)
    return False


def _counts(wh: Warehouse) -> tuple[int, int]:
    row = wh.read("bench/graph_counts")[0]
    return int(row["nodes"]), int(row["relationships"])


def test_kill_9_while_writing_csv_and_while_importing(warehouse: Warehouse, small_dir: Path, tmp_path: Path) -> None:
    home = Path(os.environ["MLPROV_HOME"])
    server = ManagedServer(home)
    store = tmp_path / "small.sqlite"
    shutil.copyfile(next((small_dir / "stores").glob("*.sqlite")), store)

    # a clean bulk load, watching how many CSV bytes it writes before the importer starts
    proc = _start_bulk(str(store))
    seen = [0]

    def importing() -> bool:
        seen[0] = max(seen[0], _csv_bytes(home))
        return _importer_running(home)

    assert _wait_for(proc, importing)
    assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    csv_total = seen[0]
    assert csv_total > 100_000
    clean = snapshot(warehouse)
    whole = _counts(warehouse)
    warehouse.run_batched("admin/clear_graph")
    rng = random.Random(20261129)

    # the kills are chained: each run after the first starts from what the killed one left (its CSV files,
    # its staging directory, a stopped server), so a run that could not recover from that would not reach
    # its own kill point; the last run is left to finish and must equal the clean load
    phases = ["csv"] * 3 + ["import"] * 3
    rng.shuffle(phases)
    for phase in phases:
        proc = _start_bulk(str(store))
        if phase == "csv":
            threshold = int(csv_total * rng.uniform(0.05, 0.9))
            landed = _wait_for(proc, lambda t=threshold: _csv_bytes(home) >= t)  # type: ignore[misc]
            landed = landed and not _importer_running(home)
        else:
            landed = _wait_for(proc, lambda: _importer_running(home))
            time.sleep(rng.uniform(0.2, 2.0))
            landed = landed and _importer_running(home) and proc.poll() is None
        if not landed:  # the run ended early (its error says why) or never reached the point
            ended = proc.poll() is not None and proc.stderr is not None
            pytest.fail(f"the kill did not land in the {phase} phase: " + (proc.stderr.read() if ended else "timeout"))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 30
        while _importer_running(home):  # the importer dies with the CLI
            assert time.monotonic() < deadline, "the importer outlived the killed CLI"
            time.sleep(0.1)
        # a server started now serves nothing or the whole import, never a part of it
        server.start()
        counts = _counts(warehouse)
        assert counts in {(0, 0), whole}, phase
        if counts == whole:  # the import had finished: the next --bulk needs an empty warehouse again
            warehouse.run_batched("admin/clear_graph")
    _ok(_bulk(str(store)))
    assert snapshot(warehouse) == clean, f"after kills in the phases {phases}"
    warehouse.run_batched("admin/clear_graph")


def test_failed_import_leaves_the_database_empty(warehouse: Warehouse, tmp_path: Path) -> None:
    """The importer dies (as under the OOM killer): one line with its exit, the server back, nothing imported."""
    home = Path(os.environ["MLPROV_HOME"])
    store = tmp_path / "sepsis_v7.sqlite"
    shutil.copyfile(FIXTURES / store.name, store)
    proc = _start_bulk(str(store))
    assert _wait_for(proc, lambda: _importer_running(home))
    for entry in Path("/proc").iterdir():
        try:
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"AdminTool" in cmd and str(home / "neo4j" / "bulk" / "stage").encode() in cmd:
            os.kill(int(entry.name), signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode != 0
    errors = [ln for ln in stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert len(errors) == 1 and "neo4j-admin import failed" in errors[0], stderr[-2000:]
    assert (home / "neo4j" / "logs" / "bulk-import.log").exists()
    assert _counts(warehouse) == (0, 0)  # the server runs again, on the database as it was
    _ok(_bulk(str(store)))
    assert warehouse.read("load/store_get", name="sepsis_v7")[0]["store"]["status"] == "complete"


def test_quick_check_is_skipped_only_for_the_very_file_checked_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The integrity check remembers files that passed it; any write to a file (same size, same inode)
    changes its change time, so the next first load checks it again and refuses it when corrupt."""
    from tests.test_corrupt_corpus import scribble_pages

    monkeypatch.setenv("MLPROV_HOME", str(tmp_path / "home"))
    store = tmp_path / "salary_localdag_failed_v8.sqlite"
    shutil.copyfile(FIXTURES / store.name, store)
    check_source(str(store))
    remembered = (tmp_path / "home" / "checked-sources.json").read_text()
    assert str(store.resolve()) in remembered
    size, inode = store.stat().st_size, store.stat().st_ino
    scribble_pages(store, random.Random(7))
    assert (store.stat().st_size, store.stat().st_ino) == (size, inode)
    with pytest.raises(MlprovError, match="corrupt SQLite file"):
        check_source(str(store))
