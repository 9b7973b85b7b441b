"""The managed Neo4j server: lifecycle, persistence, auth, and clear errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import neo4j
import pytest

from mlprov.server import GIB, MemoryPlan
from tests.conftest import run_cli


@pytest.fixture
def own_home(tmp_path: Path) -> dict[str, str]:
    return {
        "MLPROV_HOME": str(tmp_path / "home"),
        "NEO4J_URI": "",
        "NEO4J_PASSWORD": "",
        "MLPROV_NEO4J_HEAP": "1g",
        "MLPROV_NEO4J_PAGECACHE": "768m",
    }


def _status(env: dict[str, str]) -> dict[str, object]:
    proc = run_cli("neo4j", "status", "--json", env=env)
    return dict(json.loads(proc.stdout))


def test_lifecycle_start_twice_status_stop_start_keeps_data(own_home: dict[str, str]) -> None:
    env = own_home
    first = run_cli("neo4j", "start", env=env)
    assert first.returncode == 0, first.stderr
    assert "started" in first.stdout
    try:
        again = run_cli("neo4j", "start", env=env)
        assert again.returncode == 0 and "already running" in again.stdout

        status = _status(env)
        assert status["running"] is True
        assert str(status["uri"]).startswith("bolt://127.0.0.1:")
        assert str(status["http_uri"]).startswith("http://127.0.0.1:")
        assert status["version"] == "5.26.30" and isinstance(status["pid"], int)
        assert status["home"] == str(Path(env["MLPROV_HOME"]) / "neo4j")
        # the variables win over the automatic plan, and the server runs with them
        assert (status["heap"], status["pagecache"]) == ("1g", "768m")
        assert "set by MLPROV_NEO4J_HEAP" in str(status["memory"])

        with urllib.request.urlopen(str(status["http_uri"]), timeout=10) as resp:
            discovery = json.loads(resp.read())
        assert (discovery["neo4j_version"], discovery["neo4j_edition"]) == ("5.26.30", "community")
        with urllib.request.urlopen(str(status["http_uri"]) + "/browser/", timeout=10) as resp:
            assert resp.status == 200  # Neo4j Browser is served

        pw_file = Path(env["MLPROV_HOME"]) / "neo4j" / "password"
        assert stat.S_IMODE(pw_file.stat().st_mode) == 0o600
        password = pw_file.read_text().strip()
        assert password not in first.stdout + first.stderr
        assert password not in json.dumps(status)

        uri = str(status["uri"])
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", password)) as drv:
            drv.execute_query("CREATE (:Survivor {name: 'kept'})")
            settings, _, _ = drv.execute_query(
                "SHOW SETTINGS YIELD name, value WHERE name STARTS WITH 'server.memory.' RETURN name, value"
            )
        served = {r["name"]: r["value"] for r in settings}
        assert served["server.memory.pagecache.size"] == "768.00MiB"
        assert served["server.memory.heap.max_size"] == "1.00GiB"
        with (
            pytest.raises(neo4j.exceptions.AuthError),
            neo4j.GraphDatabase.driver(uri, auth=("neo4j", "wrong-password")) as drv,
        ):
            drv.verify_connectivity()

        stop = run_cli("neo4j", "stop", env=env)
        assert stop.returncode == 0 and "stopped" in stop.stdout
        down = run_cli("neo4j", "status", "--json", env=env)
        assert down.returncode == 1 and json.loads(down.stdout)["running"] is False

        restart = run_cli("neo4j", "start", env=env)
        assert restart.returncode == 0, restart.stderr
        uri = str(_status(env)["uri"])
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", password)) as drv:
            records, _, _ = drv.execute_query("MATCH (s:Survivor) RETURN s.name AS name")
        assert [r["name"] for r in records] == ["kept"]
    finally:
        run_cli("neo4j", "stop", env=env)


def test_start_waits_for_a_shutdown_whose_stopper_was_killed(own_home: dict[str, str]) -> None:
    """`mlprov load --bulk` stops the server while it writes CSV files; killed then, it leaves a server
    shutting down. The next start must wait for it and start anew, not call it running."""
    env = own_home
    assert run_cli("neo4j", "start", env=env).returncode == 0
    try:
        state = Path(env["MLPROV_HOME"]) / "neo4j" / "server.json"
        stop = "from mlprov.server import ManagedServer; ManagedServer().stop()"
        stopper = subprocess.Popen([sys.executable, "-c", stop], env={**os.environ, **env})
        deadline = time.monotonic() + 60
        while not json.loads(state.read_text()).get("stopping"):
            assert stopper.poll() is None and time.monotonic() < deadline, "the stop never marked the server"
            time.sleep(0.01)
        stopper.kill()
        stopper.wait()
        restart = run_cli("neo4j", "start", env=env)
        assert restart.returncode == 0 and "already running" not in restart.stdout, restart.stdout
        status = _status(env)
        password = (Path(env["MLPROV_HOME"]) / "neo4j" / "password").read_text().strip()
        with neo4j.GraphDatabase.driver(str(status["uri"]), auth=("neo4j", password)) as drv:
            records, _, _ = drv.execute_query("RETURN 1 AS one")
        assert records[0]["one"] == 1
    finally:
        run_cli("neo4j", "stop", env=env)


def test_stale_pid_file_is_handled(own_home: dict[str, str]) -> None:
    state = Path(own_home["MLPROV_HOME"]) / "neo4j" / "server.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"pid": 999999, "bolt_port": 1, "http_port": 2, "uri": "bolt://127.0.0.1:1"}))
    status = run_cli("neo4j", "status", "--json", env=own_home)
    assert status.returncode == 1 and json.loads(status.stdout)["running"] is False
    assert "not running" in run_cli("neo4j", "stop", env=own_home).stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "whatever1"},
            "cannot reach Neo4j at bolt://127.0.0.1:1",
        ),
        ({"NEO4J_PASSWORD": "definitely-wrong"}, "refused the credentials"),
        ({"NEO4J_DATABASE": "nosuchdb"}, "database 'nosuchdb' does not exist"),
    ],
)
def test_connection_problems_are_one_clear_line(neo4j_connection: object, env: dict[str, str], expected: str) -> None:
    from mlprov.settings import resolve_connection

    conn = resolve_connection()
    full = {"NEO4J_URI": conn.uri, "NEO4J_USER": conn.user, "NEO4J_PASSWORD": conn.password}
    full.update(env)
    proc = run_cli("stores", env=full)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("mlprov: error:")]
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert conn.password not in proc.stderr + proc.stdout


def test_a_password_starting_with_a_dash_is_set(own_home: dict[str, str]) -> None:
    """neo4j-admin took such a password for an option (exit 64); generated passwords start with "-" 1 time in 32."""
    env = {**own_home, "NEO4J_PASSWORD": "-starts-with-a-dash"}
    started = run_cli("neo4j", "start", env=env)
    try:
        assert started.returncode == 0, started.stderr
        uri = str(_status(env)["uri"])
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "-starts-with-a-dash")) as drv:
            assert drv.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    finally:
        run_cli("neo4j", "stop", env=env)


@pytest.mark.parametrize(
    ("ram_gib", "store_gib", "heap", "pagecache"),
    [
        (24, 0, "4096m", "6144m"),  # this machine, empty store: a sixth of RAM, a quarter for the cache
        (24, 5, "4096m", "7680m"),  # the store grows: 1.5x its size
        (24, 9, "4096m", "8192m"),  # the paper corpus: heap + cache capped at half the RAM
        (16, 20, "2730m", "5461m"),  # a 16 GiB laptop, a large store: the same cap
        (4, 0, "1024m", "1024m"),  # a small laptop: never under 1 GiB of heap
        (96, 0, "8192m", "24576m"),  # a large server: heap capped at 8 GiB
    ],
)
def test_memory_plan_sizes_from_machine_and_store(
    monkeypatch: pytest.MonkeyPatch, ram_gib: int, store_gib: int, heap: str, pagecache: str
) -> None:
    monkeypatch.delenv("MLPROV_NEO4J_HEAP", raising=False)
    monkeypatch.delenv("MLPROV_NEO4J_PAGECACHE", raising=False)
    plan = MemoryPlan.choose(ram_gib * GIB, store_gib * GIB)
    assert (plan.heap, plan.pagecache) == (heap, pagecache)
    assert plan.reason.startswith("heap auto, page cache auto") and f"RAM {ram_gib:.1f} GiB" in plan.reason
    assert (ram_gib * GIB) // 2 >= int(plan.heap[:-1]) * 2**20 + int(plan.pagecache[:-1]) * 2**20


def test_memory_plan_variables_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLPROV_NEO4J_HEAP", "3g")
    monkeypatch.delenv("MLPROV_NEO4J_PAGECACHE", raising=False)
    plan = MemoryPlan.choose(24 * GIB, 0)
    assert (plan.heap, plan.pagecache) == ("3g", "6144m")
    assert plan.reason.startswith("heap set by MLPROV_NEO4J_HEAP, page cache auto")


def test_a_port_taken_after_the_check_is_not_mistaken_for_our_server(
    own_home: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two homes started at once can both find the same recorded ports free; the second server's bind then
    fails while the first one answers on them. Its start must fail, not report the other server as its own."""
    import socket

    from mlprov import server
    from mlprov.errors import ServerError

    for name, value in own_home.items():
        monkeypatch.setenv(name, value)
    other = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]  # the server that won the race
    try:
        bolt, http = (int(s.getsockname()[1]) for s in other)
        state = Path(own_home["MLPROV_HOME"]) / "neo4j" / "server.json"
        state.parent.mkdir(parents=True)
        state.write_text(json.dumps({"pid": 999999, "bolt_port": bolt, "http_port": http}))
        monkeypatch.setattr(server, "_port_free", lambda port: True)  # both ports were free when checked
        with pytest.raises(ServerError) as failed:
            server.ManagedServer().start(timeout_s=120)
        message = str(failed.value)
        assert "exited during start" in message and "\n" not in message
        assert server.ManagedServer().status().running is False
    finally:
        for sock in other:
            sock.close()
