"""`mlprov app` served in a subprocess for the browser test and the app benchmark, and when a page
loaded in the browser is complete (the same definition for both)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# A page is complete when what the user sees is drawn: the folded "Cypher this page ran" expander (every
# page draws it last; the caller may name another, or none for the benchmark's one-line floor page) is
# there, no script run is in progress (Streamlit's running indicator is gone, no element is stale), no
# element the user can see is still a placeholder (Streamlit loads the code of charts and other elements
# on first use and shows an "stSkeleton" until then: without this a chart not yet loaded was simply not
# counted), every chart the user can see has drawn its canvas and every image in sight has loaded (the
# pages' static charts, app/figures.py), and the text the caller waits for is
# shown. Charts in tabs not selected are left out: Streamlit mounts them with no size and Vega draws them
# only when their tab is opened (the Graphlet page's contributions chart, in its Prediction tab, never
# drew, and the benchmark waited for it until its timeout). Returns performance.now() (ms since the
# navigation start) once the page is complete, else null.
PAGE_COMPLETE_JS = """
const done = !arguments[1] || [...document.querySelectorAll('[data-testid="stExpander"]')]
  .some(e => e.innerText.includes(arguments[1]));
if (!done || document.querySelector('[data-testid="stStatusWidget"]')) return null;
if (document.querySelector('[data-stale="true"]')) return null;
if ([...document.querySelectorAll('[data-testid="stSkeleton"]')].some(e => e.checkVisibility())) return null;
const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(c => c.checkVisibility());
if (charts.some(c => !c.querySelector('canvas, svg'))) return null;
const images = [...document.querySelectorAll('[data-testid="stImage"] img')].filter(i => i.checkVisibility());
if (images.some(i => !i.complete || !i.naturalWidth)) return null;
if (arguments[0] && !document.body.innerText.includes(arguments[0])) return null;
return performance.now();
"""


@contextmanager
def served_app(
    port: int, env: dict[str, str] | None = None, start_timeout: float = 180.0, script: Path | None = None
) -> Iterator[str]:
    """`mlprov app --port PORT` (with this environment, default the current one) until the block ends;
    yields its base URL once Streamlit's health endpoint answers (within ``start_timeout`` seconds: at
    nice 19 on the 2-core machine at load average 22 it took over 60 s). With ``script``, that Streamlit
    script is served instead, with the same ``streamlit run`` options as `mlprov app`."""
    from mlprov.app.cli import streamlit_command

    exe = Path(sys.executable).with_name("mlprov")
    command = [str(exe), "app", "--port", str(port)] if script is None else streamlit_command("127.0.0.1", port, script)
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
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
            raise RuntimeError(f"`mlprov app` did not answer on {base} within {start_timeout:.0f} s")
        yield base
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


LAST_ELEMENT = "Cypher this page ran"  # the folded expander every page of the app draws last


def complete_at(driver: Any, must_show: str = "", timeout: float = 60.0, last: str = LAST_ELEMENT) -> float:
    """performance.now() (ms) at which the page in ``driver`` was first seen complete (polled every
    20 ms; see PAGE_COMPLETE_JS), showing ``must_show``, its folded expander ``last`` drawn (empty: a
    page without one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at = driver.execute_script(PAGE_COMPLETE_JS, must_show, last)
        if at is not None:
            return float(at)
        time.sleep(0.02)
    raise TimeoutError(f"the page did not finish rendering within {timeout:.0f} s ({driver.current_url})")


def niced(binary: str, folder: Path) -> str:
    """A launcher for chromedriver or Chromium that runs it at this process's niceness. chromedriver
    (root) raises some of its threads to nice -8 and starts the browser at nice 0, and Chromium then
    sets its UI and GPU threads to -8; the machine's rule is that every job runs niced, and a browser
    out-prioritising everything else would also flatter the page loads measured. The launcher sets the
    niceness back and drops CAP_SYS_NICE (``setpriv``) so the program cannot raise itself. Falls back
    to the binary when setpriv is missing."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return binary
    launcher = folder / f"{Path(binary).name}-niced"
    command = f'exec nice -n {os.nice(0)} {shlex.quote(setpriv)} --bounding-set -sys_nice -- {shlex.quote(binary)} "$@"'
    launcher.write_text(f"#!/bin/sh\n{command}\n")
    launcher.chmod(0o755)
    return str(launcher)
