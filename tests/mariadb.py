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
def mariadb_server(workdir: Path) -> Iterator[int]:
    """Start mariadbd on a free 127.0.0.1 port with its data in ``workdir``; yield the port."""
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
            "--skip-grant-tables",
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
