"""Stores written in the test with the official ml-metadata package round-trip exactly; identity,
--replace and --prune behave."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

from mlprov.db import Warehouse
from mlprov.errors import SourceError
from mlprov.loader.load import Loader
from tests.conftest import run_cli
from tests.graphs import store_graph


def open_store(path: Path) -> metadata_store.MetadataStore:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return metadata_store.MetadataStore(config)


def write_store(path: Path, *, trainer_state: int = pb.Execution.COMPLETE) -> dict[str, int]:
    """A small TFX-like trace with every property value type, event paths and parent contexts."""
    return write_trace(open_store(path), trainer_state=trainer_state)


def write_trace(store: metadata_store.MetadataStore, *, trainer_state: int = pb.Execution.COMPLETE) -> dict[str, int]:
    ex_type = pb.ExecutionType(name="tfx.components.trainer.component.Trainer")
    ex_type.properties["module_file"] = pb.STRING
    ex_type.properties["num_steps"] = pb.INT
    trainer_type = store.put_execution_type(ex_type)
    gen_type = store.put_execution_type(
        pb.ExecutionType(name="tfx.components.example_gen.csv_example_gen.component.CsvExampleGen")
    )
    art_type = pb.ArtifactType(name="Examples")
    art_type.properties["span"] = pb.INT
    art_type.properties["split_names"] = pb.STRING
    examples_type = store.put_artifact_type(art_type)
    model_type = store.put_artifact_type(pb.ArtifactType(name="Model"))
    pipe_type = store.put_context_type(pb.ContextType(name="pipeline"))
    run_type = store.put_context_type(pb.ContextType(name="pipeline_run"))

    examples = pb.Artifact(type_id=examples_type, uri="C:\\data\\examples\\1", state=pb.Artifact.LIVE)
    examples.properties["span"].int_value = 7
    examples.properties["split_names"].string_value = '["train", "eval"]'
    examples.custom_properties["weight"].double_value = 0.25
    examples.custom_properties["is_golden"].bool_value = True
    examples.custom_properties["count"].int_value = 12345
    examples.custom_properties["note"].string_value = "ünïcode ✓"
    examples.custom_properties["meta"].struct_value.update({"a": 1, "b": ["x"]})
    proto_payload = pb.Value(int_value=42)
    examples.custom_properties["payload"].proto_value.Pack(proto_payload)
    model = pb.Artifact(type_id=model_type, uri="/models/1")

    gen = pb.Execution(type_id=gen_type, last_known_state=pb.Execution.COMPLETE)
    trainer = pb.Execution(type_id=trainer_type, last_known_state=trainer_state)
    trainer.properties["module_file"].string_value = "trainer.py"
    trainer.properties["num_steps"].int_value = 100
    trainer.custom_properties["cpu_seconds"].double_value = 12.5

    pipeline = pb.Context(type_id=pipe_type, name="demo_pipeline")
    run = pb.Context(type_id=run_type, name="2024-01-01T00:00:00")
    [pipeline_id, run_id] = store.put_contexts([pipeline, run])
    store.put_parent_contexts([pb.ParentContext(child_id=run_id, parent_id=pipeline_id)])
    pipeline.id, run.id = pipeline_id, run_id

    out_event = pb.Event(type=pb.Event.OUTPUT)
    out_event.path.steps.add().key = "examples"
    out_event.path.steps.add().index = 0
    gen_id, [examples_id], _ = store.put_execution(gen, [(examples, out_event)], [pipeline, run])
    examples.id = examples_id
    in_event = pb.Event(type=pb.Event.INPUT)
    in_event.path.steps.add().key = "examples"
    in_event.path.steps.add().index = 0
    model_event = pb.Event(type=pb.Event.OUTPUT)
    model_event.path.steps.add().key = "model"
    trainer_id, [_, model_id], _ = store.put_execution(
        trainer, [(examples, in_event), (model, model_event)], [pipeline, run]
    )
    return {
        "trainer": trainer_id,
        "gen": gen_id,
        "examples": examples_id,
        "model": model_id,
        "pipeline": pipeline_id,
        "run": run_id,
    }


def test_ml_metadata_store_round_trips_exactly(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "written.sqlite"
    ids = write_store(path)
    Loader(warehouse).load(str(path), store="w")
    nodes = {r["uid"]: (set(r["labels"]), r["props"]) for r in warehouse.read("admin/store_nodes", store="w")}
    labels, ex = nodes[f"w:a:{ids['examples']}"]
    assert labels == {"Artifact"}
    assert ex["uri"] == "C:\\data\\examples\\1" and ex["state"] == "LIVE" and ex["kind"] == "Examples"
    assert ex["span"] == 7 and ex["p_span"] == 7
    assert ex["p_split_names"] == '["train", "eval"]'
    assert ex["c_weight"] == 0.25 and isinstance(ex["c_weight"], float)
    assert ex["c_is_golden"] is True
    assert ex["c_count"] == 12345 and isinstance(ex["c_count"], int)
    assert ex["c_note"] == "ünïcode ✓"
    assert ex["pipeline"] == "demo_pipeline"  # derived from its attribution, as an execution's
    assert isinstance(ex["c_meta"], str) and '"a"' in ex["c_meta"]  # MLMD serialises struct values
    payload = pb.Value()
    assert isinstance(ex["c_payload"], bytes)
    from google.protobuf import any_pb2

    wrapped = any_pb2.Any()
    wrapped.ParseFromString(ex["c_payload"])
    assert wrapped.Unpack(payload) and payload.int_value == 42

    _, tr = nodes[f"w:e:{ids['trainer']}"]
    assert (tr["kind"], tr["stage"], tr["category"], tr["state"]) == ("Trainer", "training", "trainer", "COMPLETE")
    assert tr["p_module_file"] == "trainer.py" and tr["p_num_steps"] == 100
    assert tr["cost"] == 12.5 and tr["cost_source"] == "cpu_seconds"
    assert tr["pipeline"] == "demo_pipeline"
    _, gen = nodes[f"w:e:{ids['gen']}"]
    assert gen["kind"] == "ExampleGen" and gen["cost_source"] == "duration"
    assert nodes[f"w:c:{ids['pipeline']}"][0] == {"Context", "Pipeline"}
    assert nodes[f"w:c:{ids['run']}"][0] == {"Context", "Run"}

    rels = {
        (r["source"], r["type"], r["target"]): r["props"]
        for r in warehouse.read("admin/store_relationships", store="w")
    }
    out = rels[(f"w:e:{ids['gen']}", "OUTPUT", f"w:a:{ids['examples']}")]
    assert out["path"] == ["examples", "0"] and out["event_type"] == "OUTPUT" and out["time"] > 0
    inp = rels[(f"w:a:{ids['examples']}", "INPUT", f"w:e:{ids['trainer']}")]
    assert inp["path"] == ["examples", "0"] and inp["event_type"] == "INPUT"
    assert (f"w:e:{ids['trainer']}", "OUTPUT", f"w:a:{ids['model']}") in rels
    assert (f"w:c:{ids['run']}", "CHILD_OF", f"w:c:{ids['pipeline']}") in rels
    assert (f"w:e:{ids['trainer']}", "IN_CONTEXT", f"w:c:{ids['run']}") in rels
    assert (f"w:a:{ids['examples']}", "IN_CONTEXT", f"w:c:{ids['pipeline']}") in rels
    assert len(rels) == 3 + 1 + 4 + 4  # events, parent, associations, attributions


def test_recreated_store_is_refused_unless_replace(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "metadata.sqlite"
    write_store(path)
    loader = Loader(warehouse)
    loader.load(str(path), store="m")
    path.unlink()
    import time

    time.sleep(0.01)  # new rows get other creation times, as a re-run pipeline's would
    write_store(path, trainer_state=pb.Execution.FAILED)
    with pytest.raises(SourceError, match="is not the store loaded before as 'm'"):
        loader.load(str(path), store="m")
    proc = run_cli("load", str(path), "--store-name", "m")
    assert proc.returncode != 0 and "use --replace" in proc.stderr
    ok = run_cli("load", str(path), "--store-name", "m", "--replace")
    assert ok.returncode == 0, ok.stderr
    replaced = store_graph(warehouse, "m")
    warehouse.run_batched("admin/clear_graph")
    Loader(warehouse).load(str(path), store="m")
    assert replaced == store_graph(warehouse, "m")


def _delete_rows(path: Path, executions: int) -> int:
    """Delete the newest executions with their events, associations and properties; return the events deleted."""
    db = sqlite3.connect(path)
    ids = [r[0] for r in db.execute("SELECT id FROM Execution ORDER BY id DESC LIMIT ?", (executions,))]
    events = 0
    for eid in ids:
        events += db.execute("SELECT COUNT(*) FROM Event WHERE execution_id = ?", (eid,)).fetchone()[0]
        db.execute("DELETE FROM Event WHERE execution_id = ?", (eid,))
        db.execute("DELETE FROM Association WHERE execution_id = ?", (eid,))
        db.execute("DELETE FROM ExecutionProperty WHERE execution_id = ?", (eid,))
        db.execute("DELETE FROM Execution WHERE id = ?", (eid,))
    db.commit()
    db.close()
    return int(events)


def test_prune_removes_vanished_rows_only_when_asked_and_under_the_guard(
    warehouse: Warehouse, fixture_store: object, tmp_path: Path
) -> None:
    from tests.conftest import FIXTURES

    path = tmp_path / "sepsis.sqlite"
    path.write_bytes((FIXTURES / "sepsis_v7.sqlite").read_bytes())
    Loader(warehouse).load(str(path), store="p")
    events = _delete_rows(path, 2)
    assert events > 0
    plain = Loader(warehouse).load(str(path), store="p")
    assert plain.pruned == 0
    assert sum(1 for n in warehouse.read("admin/store_nodes", store="p") if "Execution" in n["labels"]) == 159
    pruned = Loader(warehouse).load(str(path), store="p", prune=True)
    assert pruned.pruned == 2 + events  # the two executions and their events, nothing else
    assert sum(1 for n in warehouse.read("admin/store_nodes", store="p") if "Execution" in n["labels"]) == 157
    after = store_graph(warehouse, "p")
    warehouse.run_batched("admin/clear_graph")
    Loader(warehouse).load(str(path), store="p")
    assert after == store_graph(warehouse, "p")

    _delete_rows(path, 40)
    proc = run_cli("load", str(path), "--store-name", "p", "--prune")
    assert proc.returncode != 0 and "guard 5%" in proc.stderr and "--force" in proc.stderr
    assert sum(1 for n in warehouse.read("admin/store_nodes", store="p") if "Execution" in n["labels"]) == 157
    forced = run_cli("load", str(path), "--store-name", "p", "--prune", "--force")
    assert forced.returncode == 0, forced.stderr
    assert sum(1 for n in warehouse.read("admin/store_nodes", store="p") if "Execution" in n["labels"]) == 117
