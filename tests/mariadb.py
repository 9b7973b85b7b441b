"""A throw-away MariaDB server for the MySQL-source tests (Debian's mariadb-server binaries)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def mariadb_server(workdir: Path, *, grants: bool = False) -> Iterator[int]:
    """Start mariadbd on a free 127.0.0.1 port with its data in ``workdir``; yield the port.

    Without ``grants`` the server skips the grant tables (any user, no password). With ``grants`` it
    checks them like a production server: only root on the unix socket ``workdir/sock`` gets in
    without a password, so a test creates its own password-protected users (:func:`create_user`)."""
    mariadbd = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    install = shutil.which("mariadb-install-db")
    if not Path(mariadbd).exists() or not install:
        raise RuntimeError("mariadb-server is not installed (scripts/ensure-mariadb installs it)")
    data = workdir / "data"
    subprocess.run(
        [install, "--no-defaults", f"--datadir={data}", "--user=root", "--auth-root-authentication-method=normal"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [
            mariadbd,
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={workdir / 'sock'}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--user=root",
            *([] if grants else ["--skip-grant-tables"]),
            "--skip-log-bin",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "mariadb.log").open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"mariadbd did not listen on {port}: {(workdir / 'mariadb.log').read_text()[-500:]}")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def create_user(workdir: Path, user: str, password: str, databases: list[str]) -> None:
    """As root over the unix socket of a ``grants`` server: the databases and a user reaching them over
    TCP from 127.0.0.1 with ``password`` (all rights on those databases only)."""
    import pymysql

    conn = pymysql.connect(unix_socket=str(workdir / "sock"), user="root")
    try:
        cur = conn.cursor()
        cur.execute("CREATE USER %s@'127.0.0.1' IDENTIFIED BY %s", (user, password))
        for db in databases:
            cur.execute(f"CREATE DATABASE `{db}`")
            cur.execute(f"GRANT ALL PRIVILEGES ON `{db}`.* TO %s@'127.0.0.1'", (user,))
    finally:
        conn.close()
