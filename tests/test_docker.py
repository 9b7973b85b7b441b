"""The compose file serves users with Docker: no engine runs here, so check what can be checked."""

from __future__ import annotations

from pathlib import Path

import yaml

from mlprov.server import NEO4J_VERSION

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_the_same_neo4j_line_with_auth_volume_and_healthcheck() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "docker-compose.yml").read_text())
    neo4j = compose["services"]["neo4j"]
    major_minor = ".".join(NEO4J_VERSION.split(".")[:2])
    assert neo4j["image"] == f"neo4j:{major_minor}-community"
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert any(v.endswith(":/data") for v in neo4j["volumes"])
    assert neo4j["healthcheck"]["test"]
    assert all(p.startswith("127.0.0.1:") for p in neo4j["ports"])
    app = compose["services"]["app"]
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert app["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    dockerfile = (ROOT / app["build"]["context"].replace("..", ".") / app["build"]["dockerfile"]).resolve()
    assert dockerfile.exists()
    copied = {line.split()[1] for line in dockerfile.read_text().splitlines() if line.startswith("COPY")}
    assert {"mlprov", "loader", "features", "app", "cypher", "generator"} <= copied
