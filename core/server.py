"""A managed, real Neo4j 5.26 LTS Community server for machines without Docker.

The server jars are resolved from Maven Central by Maven (``org.neo4j:neo4j``, which brings
``org.neo4j.app:neo4j-server`` and the community entry point, plus Neo4j Browser when it resolves)
and cached under ``cache_dir()/neo4j-<version>/lib``; only the first start downloads. Each
``MLPROV_HOME`` gets its own server home (conf, data, logs, run), Bolt and HTTP on free ports of
127.0.0.1, auth on with a password kept in a file only the owner can read. The JVM is started the way
the distribution's launcher does it: ``java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from mlprov.errors import ServerError
from mlprov.settings import cache_dir, managed_password_file, managed_state_file, mlprov_home, replace_text

NEO4J_VERSION = "5.26.30"
BROWSER_VERSION = "5.24.0"
GIB = 1024**3
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 120.0
LOW_DISK_BYTES = 64 * 2**20  # below this the managed server's database may stop on its next write
DATABASE = "neo4j"  # the managed server's one warehouse database (Community: one user database)

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>mlprov.local</groupId><artifactId>neo4j-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>{deps}</dependencies>
</project>
"""
_DEP = "<dependency><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version></dependency>"

_JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
]


@dataclass(frozen=True)
class MemoryPlan:
    """The managed server's heap and page cache, and where each size came from."""

    heap: str
    pagecache: str
    reason: str

    @classmethod
    def choose(cls, ram_bytes: int, store_bytes: int) -> MemoryPlan:
        """Sizes from the machine and the store unless ``MLPROV_NEO4J_HEAP``/``_PAGECACHE`` are set.

        Heap: a sixth of the RAM, 1 to 8 GiB (transaction state and query memory live there). Page
        cache: 1.5x the store on disk (room to grow during a load), at least a quarter of the RAM and at
        most 40% of it or half of it less the heap, whichever is smaller: heap + page cache stay within
        half the RAM, the other half is for mlprov's own processes (training and evaluation hold the
        feature frame and xgboost matrices) and the operating system. Neo4j fills the page cache as
        pages are read, so a large setting costs nothing while the store is small.
        """
        heap_env = os.environ.get("MLPROV_NEO4J_HEAP")
        cache_env = os.environ.get("MLPROV_NEO4J_PAGECACHE")
        heap = min(max(ram_bytes // 6, GIB), 8 * GIB)
        cache = min(max(store_bytes * 3 // 2, ram_bytes // 4), ram_bytes * 2 // 5, ram_bytes // 2 - heap)
        heap_how = "set by MLPROV_NEO4J_HEAP" if heap_env else "auto"
        cache_how = "set by MLPROV_NEO4J_PAGECACHE" if cache_env else "auto"
        return cls(
            heap=heap_env or f"{heap // 2**20}m",
            pagecache=cache_env or f"{cache // 2**20}m",
            reason=f"heap {heap_how}, page cache {cache_how} "
            f"(RAM {ram_bytes / GIB:.1f} GiB, store {store_bytes / GIB:.2f} GiB on disk)",
        )


def machine_ram() -> int:
    """Physical memory of this machine in bytes."""
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


@dataclass
class ServerStatus:
    """What ``mlprov neo4j status`` reports. Never holds the password."""

    running: bool
    home: str
    uri: str | None = None
    http_uri: str | None = None
    version: str = NEO4J_VERSION
    pid: int | None = None
    store_bytes: int = 0
    heap: str | None = None
    pagecache: str | None = None
    memory: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _run_checked(cmd: Sequence[str], what: str, env: dict[str, str] | None = None) -> str:
    try:
        proc = subprocess.run(list(cmd), capture_output=True, text=True, env=env, check=False)
    except FileNotFoundError as exc:
        raise ServerError(f"{what}: `{cmd[0]}` is not installed ({exc.strerror})") from exc
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        raise ServerError(f"{what} failed (exit {proc.returncode}): {' | '.join(tail)}")
    return proc.stdout


def _die_with_parent() -> None:
    """In a child before exec: get SIGKILL when the parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def multiline_args(files: Sequence[Path]) -> list[str]:
    """The importer's options for CSV files with fields that span lines: only these files are parsed
    line-aware (format v2); with ``--multiline-fields=true`` every file would be, which is slow."""
    if not files:
        return ["--multiline-fields=false"]
    return ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(str(f) for f in files)]


def _first_error(output: str) -> str:
    """The importer's first line that says what went wrong (else its last non-empty line)."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for line in lines:
        if any(word in line for word in ("Error", "ERROR", "Exception", "Invalid", "invalid", "failed")):
            return line[:300]
    return lines[-1][:300] if lines else "no output"


def jar_dir(version: str = NEO4J_VERSION) -> Path:
    return cache_dir() / f"neo4j-{version}" / "lib"


def resolve_jars(version: str = NEO4J_VERSION) -> Path:
    """Download the server and its dependencies with Maven once; return the cached lib directory."""
    target = jar_dir(version)
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    core = [("org.neo4j", "neo4j", version), ("org.neo4j.app", "neo4j-server", version)]
    attempts = [[*core, ("org.neo4j.client", "neo4j-browser", BROWSER_VERSION)], core]
    last_error: ServerError | None = None
    for deps in attempts:
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            pom = Path(tmp) / "pom.xml"
            pom.write_text(_POM.format(deps="".join(_DEP.format(g=g, a=a, v=v) for g, a, v in deps)))
            out = Path(tmp) / "lib"
            try:
                _run_checked(
                    [
                        "mvn",
                        "-q",
                        "-B",
                        "-f",
                        str(pom),
                        "dependency:copy-dependencies",
                        f"-DoutputDirectory={out}",
                        "-DincludeScope=runtime",
                    ],
                    f"resolving Neo4j {version} from Maven Central",
                )
            except ServerError as exc:
                last_error = exc
                continue
            (out / ".complete").write_text(json.dumps({"version": version, "deps": deps}))
            if target.exists():
                shutil.rmtree(target)
            out.rename(target)
            return target
    assert last_error is not None
    raise last_error


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    """Whether the server could listen on ``port``: like Neo4j we set SO_REUSEADDR, so connections of
    the previous run still in TIME_WAIT do not make a restart move to a new port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds the listening socket of ``port``: a port that answers may belong to
    another process that took it between our check and the server's bind (two homes started at once
    that chose the same ports). Read from /proc (Linux); elsewhere an answering port counts as ours."""
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        return _port_open(port)
    inodes: set[str] = set()
    for table in tables:
        with contextlib.suppress(OSError):
            for line in table.read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in inodes:
                    return True
    return False


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


class ManagedServer:
    """The Neo4j server that belongs to one ``MLPROV_HOME``."""

    def __init__(self, home: Path | None = None) -> None:
        self.mlprov_home = home or mlprov_home()
        self.home = self.mlprov_home / "neo4j"
        self.conf_dir = self.home / "conf"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.state_file = managed_state_file(self.mlprov_home)
        self.password_file = managed_password_file(self.mlprov_home)

    # -- state -------------------------------------------------------------------------------
    def _state(self) -> dict[str, object] | None:
        try:
            state: dict[str, object] = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        return state

    def _write_state(self, state: dict[str, object]) -> None:
        """Replace the state file whole: a reader (``status``, another process's ``start``) never sees it
        half-written, which would read as "no server" while one runs or shuts down."""
        replace_text(self.state_file, json.dumps(state, indent=2))

    def _alive_pid(self) -> int | None:
        state = self._state()
        if not state or not state.get("pid"):
            return None
        pid = int(str(state["pid"]))
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return None
        return pid if f"--home-dir={self.home}" in cmdline else None

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def _ensure_password(self) -> str:
        if self.password_file.exists():
            return self.password()
        password = os.environ.get("NEO4J_PASSWORD") or secrets.token_urlsafe(18)
        if len(password) < 8:
            raise ServerError("NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)")
        self.password_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        os.chmod(self.password_file, 0o600)
        return password

    def memory_plan(self) -> MemoryPlan:
        """Heap and page cache for the next start (or import) of this server."""
        return MemoryPlan.choose(machine_ram(), _dir_size(self.data_dir / "databases"))

    def _write_conf(self, bolt_port: int, http_port: int, plan: MemoryPlan) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        lines = [
            "# Written by mlprov on every start; edit MLPROV_NEO4J_* variables instead.",
            f"server.directories.data={self.data_dir}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.run={self.home / 'run'}",
            f"server.directories.import={self.home / 'import'}",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{bolt_port}",
            "server.http.enabled=true",
            f"server.http.listen_address=127.0.0.1:{http_port}",
            f"server.http.advertised_address=127.0.0.1:{http_port}",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.security.allow_csv_import_from_file_urls=false",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={plan.heap}",
            f"server.memory.heap.max_size={plan.heap}",
            f"server.memory.pagecache.size={plan.pagecache}",
            "db.tx_log.rotation.retention_policy=2 files",
            "db.tx_log.preallocate=false",
            "db.tx_log.rotation.size=128M",
            "db.transaction.timeout=0",
        ]
        tx_memory = os.environ.get("MLPROV_NEO4J_TX_MEMORY")
        if tx_memory:  # a cap on all transactions' memory together (db.memory.transaction.total.max)
            lines.append(f"db.memory.transaction.total.max={tx_memory}")
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _java_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.conf_dir)
        return env

    # -- commands ----------------------------------------------------------------------------
    def status(self) -> ServerStatus:
        pid = self._alive_pid()
        state = self._state() or {}
        running = pid is not None and _port_open(int(str(state.get("bolt_port", 0))))
        return ServerStatus(
            running=running,
            home=str(self.home),
            uri=str(state["uri"]) if state.get("uri") else None,
            http_uri=str(state["http_uri"]) if state.get("http_uri") else None,
            pid=pid,
            store_bytes=_dir_size(self.data_dir),
            heap=str(state["heap"]) if running and state.get("heap") else None,
            pagecache=str(state["pagecache"]) if running and state.get("pagecache") else None,
            memory=str(state["memory"]) if running and state.get("memory") else None,
        )

    def start(self, timeout_s: float = START_TIMEOUT_S) -> tuple[ServerStatus, bool]:
        """Start the server unless it runs. Returns (status, started_now).

        A server still shutting down (``stop`` was called, perhaps by a process since killed) is waited
        for and started again: it is not "running" for a caller who wants to use it.
        """
        pid = self._alive_pid()
        if pid is not None and not (self._state() or {}).get("stopping"):
            return self.status(), False
        if pid is not None:
            self._await_exit(pid, STOP_TIMEOUT_S)
        self._finish_swap()
        lib = resolve_jars()
        password = self._ensure_password()
        previous = self._state() or {}
        bolt = int(str(previous.get("bolt_port", 0)))
        http = int(str(previous.get("http_port", 0)))
        if not bolt or not _port_free(bolt):
            bolt = _free_port()
        if not http or http == bolt or not _port_free(http):
            http = _free_port()
            while http == bolt:
                http = _free_port()
        plan = self.memory_plan()
        self._write_conf(bolt, http, plan)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        classpath = f"{lib}/*"
        if not (self.data_dir / "dbms").exists():
            _run_checked(
                [
                    "java",
                    "-cp",
                    classpath,
                    "org.neo4j.cli.AdminTool",
                    "dbms",
                    "set-initial-password",
                    "--",  # end of options: a password may start with "-" (token_urlsafe's do, 1 in 32)
                    password,
                ],
                "setting the initial Neo4j password",
                env=self._java_env(),
            )
        cmd = [
            "java",
            f"-Xms{plan.heap}",
            f"-Xmx{plan.heap}",
            *_JVM_FLAGS,
            "-cp",
            classpath,
            "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]
        console = (self.logs_dir / "console.log").open("ab")
        proc = subprocess.Popen(
            cmd,
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self._java_env(),
            start_new_session=True,
            cwd=self.home,
        )
        console.close()
        state = {
            "pid": proc.pid,
            "bolt_port": bolt,
            "http_port": http,
            "uri": f"bolt://127.0.0.1:{bolt}",
            "http_uri": f"http://127.0.0.1:{http}",
            "version": NEO4J_VERSION,
            "home": str(self.home),
            "heap": plan.heap,
            "pagecache": plan.pagecache,
            "memory": plan.reason,
        }
        self._write_state(state)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServerError(
                    f"Neo4j in {self.home} exited during start (code {proc.returncode}): {self._last_log_line()}"
                )
            if _listens(proc.pid, bolt) and _listens(proc.pid, http):
                return self.status(), True
            time.sleep(0.25)
        self.stop()
        raise ServerError(f"Neo4j in {self.home} did not open port {bolt} within {timeout_s:.0f}s")

    # -- backups -----------------------------------------------------------------------------
    def _admin(self, args: Sequence[str], what: str) -> str:
        """Run ``neo4j-admin`` (the AdminTool of the server's own jars) on this server's home."""
        return _run_checked(
            ["java", "-cp", f"{resolve_jars()}/*", "org.neo4j.cli.AdminTool", *args], what, env=self._java_env()
        )

    def dump(self, target: Path) -> int:
        """Write the warehouse database to ``target`` with ``neo4j-admin database dump`` (an offline,
        consistent copy: the server is stopped for it and started again if it was running). Returns
        the dump's size in bytes."""
        target = target.resolve()
        if target.exists():
            raise ServerError(f"{target}: already exists; choose another file (a dump is never overwritten)")
        if not (self.data_dir / "databases" / DATABASE).exists():
            raise ServerError(f"the managed server in {self.home} has no database to dump yet (start it once)")
        target.parent.mkdir(parents=True, exist_ok=True)
        was_running = self.stop()
        try:
            with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
                self._admin(["database", "dump", DATABASE, f"--to-path={tmp}"], f"dumping the database to {target}")
                Path(tmp, f"{DATABASE}.dump").replace(target)
        finally:
            if was_running:
                self.start()
        return target.stat().st_size

    def restore(self, source: Path) -> None:
        """Replace the warehouse database by the dump ``source`` (``neo4j-admin database load``); the
        server is stopped for it and started again."""
        source = source.resolve()
        if not source.is_file():
            raise ServerError(f"{source}: no such dump file")
        self.stop()
        with tempfile.TemporaryDirectory(dir=source.parent) as tmp:
            os.symlink(source, Path(tmp, f"{DATABASE}.dump"))
            self._admin(
                ["database", "load", DATABASE, f"--from-path={tmp}", "--overwrite-destination=true"],
                f"restoring the database from {source}",
            )
        self.start()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> bool:
        """Shut down cleanly (Neo4j checkpoints on SIGTERM); SIGKILL only after the timeout."""
        pid = self._alive_pid()
        if pid is None:
            return False
        state = self._state() or {}
        self._write_state({**state, "stopping": True})
        os.kill(pid, signal.SIGTERM)
        self._await_exit(pid, timeout_s)
        return True

    def _await_exit(self, pid: int, timeout_s: float) -> None:
        """Wait for the server process to end; SIGKILL it after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._alive_pid() is None:
                return
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def disk_full_note(self) -> str:
        """A sentence when the disk of this server's data directory is (nearly) full, else ''."""
        if not self.data_dir.exists():
            return ""
        free = shutil.disk_usage(self.data_dir).free
        if free >= LOW_DISK_BYTES:
            return ""
        return f"the disk of its data directory {self.data_dir} is full ({free / 2**20:.1f} MiB free): free space first"

    def kill(self) -> None:
        """Hard kill, for fault-injection tests."""
        pid = self._alive_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while self._alive_pid() is not None:
                time.sleep(0.05)

    # -- bulk import ---------------------------------------------------------------------------
    @property
    def _bulk_dir(self) -> Path:
        return self.home / "bulk"

    @property
    def _swap_journal(self) -> Path:
        return self._bulk_dir / "swap.json"

    def bulk_state(self) -> str | None:
        """'swap' while an imported database replaces the old one, 'swapped' once it is in place and
        until ``bulk_done``; None when no bulk import is pending."""
        try:
            return str(json.loads(self._swap_journal.read_text())["phase"])
        except (OSError, ValueError, KeyError):
            return None

    def _set_bulk_state(self, phase: str) -> None:
        replace_text(self._swap_journal, json.dumps({"phase": phase}))

    def bulk_done(self) -> None:
        """The caller has finished what follows an import (indexes, bookkeeping)."""
        self._swap_journal.unlink(missing_ok=True)

    def _finish_swap(self) -> None:
        """Roll an interrupted swap forward: the staged database is complete once the swap began, so the
        server starts on it, never on a mix of old and new files."""
        if self.bulk_state() != "swap":
            return
        staged = self._bulk_dir / "stage" / "data"
        for part in ("databases", "transactions"):
            new, old = staged / part / "neo4j", self.data_dir / part / "neo4j"
            if new.exists():
                if old.exists():
                    trash = self._bulk_dir / f"old-{part}"
                    shutil.rmtree(trash, ignore_errors=True)
                    os.replace(old, trash)
                    shutil.rmtree(trash)
                old.parent.mkdir(parents=True, exist_ok=True)
                os.replace(new, old)
        self._set_bulk_state("swapped")

    def bulk_import(
        self,
        nodes: Sequence[tuple[str, Path]],
        relationships: Sequence[tuple[str, Path]],
        *,
        multiline: Sequence[Path],
    ) -> str:
        """Stop the server and replace its database by ``neo4j-admin database import full`` of the CSV
        files (``(label or type, file)`` pairs; several files of a label are several groups; ``multiline``:
        the files with fields that span lines).

        The import runs into a staging directory; only a finished import is swapped in (journaled,
        see ``_finish_swap``), so a failed or killed import leaves the database as it was. The importer
        dies with this process. Returns the importer's summary line; its full output is in
        ``logs/bulk-import.log``. The server is left stopped.
        """
        self.stop()
        stage = self._bulk_dir / "stage"
        shutil.rmtree(stage, ignore_errors=True)
        (stage / "conf").mkdir(parents=True)
        plan = self.memory_plan()
        (stage / "conf" / "neo4j.conf").write_text(
            f"server.directories.data={stage / 'data'}\n"
            f"server.directories.logs={stage / 'logs'}\n"
            f"server.memory.pagecache.size={plan.pagecache}\n"
        )
        cmd = [
            "java",
            f"-Xmx{plan.heap}",
            "-cp",
            f"{resolve_jars()}/*",
            "org.neo4j.cli.AdminTool",
            "database",
            "import",
            "full",
            "neo4j",
            "--id-type=string",
            "--overwrite-destination=true",
            *multiline_args(multiline),
            f"--report-file={stage / 'import.report'}",
            *(f"--nodes={label}={path}" for label, path in nodes),
            *(f"--relationships={rel}={path}" for rel, path in relationships),
        ]
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        log = self.logs_dir / "bulk-import.log"
        env = dict(os.environ, NEO4J_HOME=str(stage), NEO4J_CONF=str(stage / "conf"))
        with log.open("w") as out:
            code = subprocess.run(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                check=False,
                preexec_fn=_die_with_parent,
            ).returncode
        output = log.read_text(errors="replace")
        if code != 0:
            shutil.rmtree(stage, ignore_errors=True)
            raise ServerError(f"neo4j-admin import failed (exit {code}): {_first_error(output)} (full output: {log})")
        self._set_bulk_state("swap")
        self._finish_swap()
        shutil.rmtree(stage, ignore_errors=True)
        done = [ln.strip() for ln in output.splitlines() if ln.strip().startswith("IMPORT DONE")]
        return done[-1] if done else "import done"

    def log_lines(self, count: int = 50) -> list[str]:
        log = self.logs_dir / "neo4j.log"
        if not log.exists():
            return []
        return log.read_text(errors="replace").splitlines()[-count:]

    def _last_log_line(self) -> str:
        for path in (self.logs_dir / "console.log", self.logs_dir / "neo4j.log"):
            if path.exists():
                lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
                if lines:
                    return lines[-1][:300]
        return "no log output"
