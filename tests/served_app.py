"""`mlprov app` served in a subprocess for the browser test and the app benchmark."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def served_app(port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """`mlprov app --port PORT` (with this environment, default the current one) until the block ends;
    yields its base URL once Streamlit's health endpoint answers."""
    exe = Path(sys.executable).with_name("mlprov")
    proc = subprocess.Popen(
        [str(exe), "app", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"`mlprov app` exited with {proc.returncode} before serving")
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"`mlprov app` did not answer on {base} within 60 s")
        yield base
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
