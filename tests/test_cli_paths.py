"""Commands no other test runs end to end, each through the real CLI as a user runs it:
`mlprov demo` on the tiny preset, `mlprov reset`, `mlprov generate` and `generate --check`."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from mlprov.db import Warehouse
from mlprov.settings import Connection
from tests.conftest import FIXTURES, elsewhere_env, run_cli
from tests.test_graphlets import sql_expected


def test_generate_and_check_through_the_cli(tmp_path: Path, tiny_dir: Path) -> None:
    out = tmp_path / "corpus"
    res = run_cli("generate", str(out), "--preset", "tiny", "--seed", "0")
    assert res.returncode == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["preset"], manifest["seed"], manifest["pipelines"]) == ("tiny", 0, 6)
    stores = sorted((out / "stores").glob("*.sqlite"))
    assert [p.name for p in stores] == ["mlmd-000.sqlite"]
    # the manifest's counts are the store's: trainer runs and pushes counted with SQL
    assert (manifest["graphlets"], manifest["pushed"]) == sql_expected(stores[0])
    # same seed, same corpus as the library call (the session's tiny corpus)
    assert (out / "latent.csv").read_text() == (tiny_dir / "latent.csv").read_text()
    assert manifest["fingerprint"] == json.loads((tiny_dir / "manifest.json").read_text())["fingerprint"]
    with (out / "latent.csv").open() as f:
        assert sum(1 for _ in csv.DictReader(f)) == manifest["graphlets"]
    assert f"{manifest['pipelines']} pipelines, {manifest['graphlets']:,} trainer runs" in res.stdout
    assert "Calibration vs the study" in res.stdout

    # --check recomputes the same table from the files alone, writing nothing
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    check = run_cli("generate", str(out), "--check")
    assert check.returncode == 0, check.stderr
    table = [ln for ln in res.stdout.splitlines() if "│" in ln]
    assert table and [ln for ln in check.stdout.splitlines() if "│" in ln] == table
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before

    # --check where there is no corpus: one line naming the folder, non-zero exit, nothing created
    missing = tmp_path / "nothing"
    bad = run_cli("generate", str(missing), "--check")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr, bad.stderr
    assert bad.stderr.strip().count("\n") == 0 and str(missing) in bad.stderr
    assert not missing.exists()


def count(wh: Warehouse, text: str) -> int:
    return int(wh.read_text(text, {})[1][0]["n"])


def test_demo_end_to_end_through_a_routing_uri_then_reset(
    warehouse: Warehouse, neo4j_connection: Connection, tmp_path: Path
) -> None:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    shutil.copyfile(FIXTURES / "sepsis_v1.sqlite", fixtures / "sepsis_v1.sqlite")
    home = tmp_path / "home"
    env = elsewhere_env(neo4j_connection, home)
    # through a routing URI, as against Aura or a cluster: the driver asks the server for its routing
    # table and sends reads and writes where it says (a single server names itself for both)
    env["NEO4J_URI"] = neo4j_connection.uri.replace("bolt://", "neo4j://", 1)
    assert env["NEO4J_URI"].startswith("neo4j://")
    res = run_cli("demo", "--preset", "tiny", "--fixtures", str(fixtures), env=env, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    assert env["NEO4J_URI"] in res.stdout + res.stderr  # every command says where it connects
    corpus = home / "demo" / "tiny"
    generated = corpus / "stores" / "mlmd-000.sqlite"
    # every stage left what a user would look for
    stores = {r["name"] for r in warehouse.read("load/stores")}
    assert stores == {"mlmd-000", "sepsis_v1"}
    expected = sql_expected(generated)[0] + sql_expected(fixtures / "sepsis_v1.sqlite")[0]
    assert count(warehouse, "MATCH (g:Graphlet) RETURN count(g) AS n") == expected
    assert count(warehouse, "MATCH (g:Graphlet) WHERE g.pushed IS NOT NULL RETURN count(g) AS n") > 0
    # predict wrote a probability on every graphlet, with the model train saved
    latest = (home / "models" / "latest").read_text().strip()
    assert (home / "models" / latest).exists()
    assert count(warehouse, "MATCH (g:Graphlet) WHERE g.push_probability IS NULL RETURN count(g) AS n") == 0
    versions = warehouse.read_text("MATCH (g:Graphlet) RETURN collect(DISTINCT g.model_version) AS v", {})[1]
    assert len(versions[0]["v"]) == 1
    report = home / "demo" / "report"
    assert (report / "curve.png").read_bytes()[:4] == b"\x89PNG"
    results = json.loads((report / "results.json").read_text())
    assert {"heuristic", "input", "oracle"} <= {r["set"] for r in results["results"]}  # --latent was passed
    assert results["seeds"] == [0, 1, 2]
    assert "Next:" in res.stdout and "mlprov app" in res.stdout

    # reset refuses without --yes and leaves the graph as it was
    nodes = count(warehouse, "MATCH (n) RETURN count(n) AS n")
    refused = run_cli("reset", env=env)
    assert refused.returncode != 0 and "--yes" in refused.stderr
    assert count(warehouse, "MATCH (n) RETURN count(n) AS n") == nodes
    constraints = warehouse.read_text("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name", {})[1]
    wiped = run_cli("reset", "--yes", env=env)
    assert wiped.returncode == 0, wiped.stderr
    assert count(warehouse, "MATCH (n) RETURN count(n) AS n") == 0
    assert count(warehouse, "MATCH ()-[r]->() RETURN count(r) AS n") == 0
    # the constraints stay
    assert warehouse.read_text("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name", {})[1] == constraints
    assert constraints
