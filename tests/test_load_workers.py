"""`mlprov load --workers N`: several stores loaded at once end as the same graph as one after the other."""

from __future__ import annotations

import shutil
from pathlib import Path

from mlprov.db import Warehouse
from mlprov.loader.load import load_all
from mlprov.loader.sources import expand_sources
from mlprov.settings import Connection
from tests.conftest import FIXTURES, elsewhere_env, run_cli
from tests.graphs import store_graph

STORES = ["redwine_pushers_v10", "salary_mixed_dangling_v8", "drug_windows_localdag_v10", "sepsis_v7"]


def test_parallel_load_equals_sequential_load(
    warehouse: Warehouse, neo4j_connection: Connection, tmp_path: Path
) -> None:
    corpus = tmp_path / "stores"
    corpus.mkdir()
    for name in STORES:
        shutil.copyfile(FIXTURES / f"{name}.sqlite", corpus / f"{name}.sqlite")

    load_all(warehouse, expand_sources([str(corpus)]))
    sequential = {name: store_graph(warehouse, name) for name in STORES}
    assert all(nodes and rels for nodes, rels in sequential.values())

    warehouse.run_batched("admin/clear_graph")
    proc = run_cli("load", str(corpus), "--workers", "2", env=elsewhere_env(neo4j_connection, tmp_path / "home"))
    assert proc.returncode == 0, proc.stderr
    for name in STORES:
        assert f"{name} executions" in proc.stderr  # one progress bar per store and table
        assert store_graph(warehouse, name) == sequential[name], name
    stored = {r["name"]: r["status"] for r in warehouse.read("load/stores")}
    assert stored == dict.fromkeys(STORES, "complete")

    again = run_cli("load", str(corpus), "--workers", "3", env=elsewhere_env(neo4j_connection, tmp_path / "home"))
    assert again.returncode == 0 and again.stdout.count("up to date") == len(STORES), again.stdout
