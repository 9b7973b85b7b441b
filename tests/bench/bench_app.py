"""App page latency: p50 / p95 per page on whatever warehouse is configured (the biggest corpus loaded).

Three measures per page, each repeated ``--runs`` times:

* ``data``: the page's data functions (``mlprov.app.<page>_data``) for a typical selection, uncached —
  the queries a page view runs, end to end through the driver;
* ``apptest``: a full Streamlit script run of the page (``AppTest``), data and rendering, the app's
  cache cleared before each run (a cold page; the installed components are discovered once, as
  ``mlprov app`` does at startup, not once per run);
* ``browser``: a real page load in headless Chromium (Selenium) against ``mlprov app``: from the
  navigation start (``performance.now()`` counts from it) to the page complete as the user sees it
  (``tests/served_app.py``: the folded "Cypher this page ran" expander, drawn last, is there, every
  visible chart has drawn its canvas — charts in unselected tabs are not drawn until opened — and
  Streamlit's running indicator is gone). ``browser warm`` loads the page anew each time (a new
  session, the app's cache holding the answers for the unchanged data version); ``browser cold``
  first gives the store summaries a new write time (``cypher/bench/touch_summaries``, as a new
  ``mlprov graphlets`` would), so every cached answer misses.

Three interactions are timed the same ways, each a script run with the answers cached: a tab switch on
the Graphlet page (Members → History and neighbours, ``graphlet+tab``), opening the folded "Cypher this
page ran" expander on the Pipelines page (``pipelines+cypher``), and going to the Overview from another
page through the sidebar (``overview+nav``: the page changes in the open session, no page load). In the
browser: from the click (``performance.now()`` when the click is dispatched) to the page complete again
showing the new content; in AppTest: the run with the tab or the expander open, or the Overview run with
the cache warm.

The floor (``floor``, browser only): a Streamlit page of one ``st.write``, served the way `mlprov app`
is (``streamlit run``, same options) and loaded by the same harness, from the navigation start to its
text drawn with no script run in progress: what any Streamlit page costs on this machine before it
shows anything of its own. It is loaded in turn with the other pages measured (``browser alt.``: one
load of each per round, warm), so that all see the same machine load. ``--anatomy`` loads each page
once more in a Chromium that records the DevTools events and prints what it drew beyond the floor:
elements, charts and tables, the websocket messages from the server (Streamlit's deltas) and the script
code the page loaded.

The selection: the pipeline with the most executions and its latest graphlet (the worst case for
the Pipelines and Graphlet pages). Goal: p95 ≤ 1 s per page in the browser, Overview warm ≤ 300 ms.

    MLPROV_HOME=/path/with/a/loaded/corpus python -m tests.bench app -- --runs 20
    MLPROV_HOME=... python -m tests.bench app -- --runs 20 --pages pipelines --no-apptest   # one page
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlprov.app import (
    common,
    console_data,
    graphlet_data,
    overview_data,
    pipelines_data,
    push_model,
    shared_data,
    tradeoff_data,
)
from mlprov.app.graphlet import TAB_KEY, TABS
from mlprov.db import Warehouse
from tests.served_app import LAST_ELEMENT, complete_at, niced, served_app

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
HISTORY_TAB = TABS[2]
PAGES = ("overview", "pipelines", "graphlet", "predictor", "console", "floor")
FLOOR_TEXT = "One st.write: the floor of a Streamlit page load"
FLOOR_SCRIPT = f"import streamlit as st\n\nst.write({FLOOR_TEXT!r})\n"


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(0.95 * (len(s) - 1))))]


def timed(fn: Callable[[], Any], runs: int, clear: bool = True) -> list[float]:
    """Seconds per call; the app's cache cleared before each call (``clear``) or kept."""
    fn()  # warm the driver, the server's plan cache and the imports
    out = []
    for _ in range(runs):
        if clear:
            common.clear_cache()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def chromium(devtools_log: bool = False) -> Any:
    """Headless Chromium at this process's niceness (with ``devtools_log``: recording the DevTools
    network events, for ``--anatomy`` only: the recording costs time on every load)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    if devtools_log:
        opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    folder = Path(tempfile.mkdtemp(prefix="bench_app_"))
    opts.binary_location = niced(str(shutil.which("chromium") or shutil.which("chromium-browser")), folder)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1500,1100"):
        opts.add_argument(flag)
    return webdriver.Chrome(
        service=Service(executable_path=niced(str(shutil.which("chromedriver")), folder)), options=opts
    )


def browser_loads(
    driver: Any, wh: Warehouse | None, url: str, must_show: str, runs: int, last: str = LAST_ELEMENT
) -> tuple[list[float], list[float]]:
    """(warm page loads, cold page loads) in seconds: warm with the app's cache holding the answers,
    cold right after the data version changed (every cached answer missed; none without ``wh``)."""
    driver.get(url)
    complete_at(driver, must_show, last=last)  # the first load fills the cache
    warm, cold = [], []
    for _ in range(runs):
        driver.get(url)
        warm.append(complete_at(driver, must_show, last=last) / 1000.0)
    for _ in range(runs if wh is not None else 0):
        assert wh is not None
        wh.write("bench/touch_summaries", now=int(time.time() * 1000))
        driver.get(url)
        cold.append(complete_at(driver, must_show, last=last) / 1000.0)
    return warm, cold


def alternated(driver: Any, targets: list[tuple[str, str, str, str]], runs: int) -> dict[str, list[float]]:
    """Warm page loads in seconds, one of each target (name, url, text shown, last element) in turn,
    ``runs`` rounds after one unmeasured round: pages compared under the same machine load."""
    out: dict[str, list[float]] = {name: [] for name, *_ in targets}
    for round_ in range(runs + 1):
        for name, url, must_show, last in targets:
            driver.get(url)
            seconds = complete_at(driver, must_show, last=last) / 1000.0
            if round_:
                out[name].append(seconds)
    return out


# What a complete page drew: its element containers, charts and tables, and the script code it loaded.
DRAWN_JS = """
const n = s => document.querySelectorAll(s).length;
const scripts = performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'));
return [n('[data-testid="stElementContainer"]'), n('[data-testid="stVegaLiteChart"]'),
        n('[data-testid="stDataFrame"]'), scripts.length,
        scripts.reduce((a, e) => a + (e.decodedBodySize || 0), 0)];
"""


def anatomy(driver: Any, url: str, must_show: str, last: str = LAST_ELEMENT) -> dict[str, float]:
    """One warm load of the page in a Chromium recording DevTools events: its time, what it drew, and
    the websocket messages it received from the server (count and bytes)."""
    import base64
    import json

    driver.get(url)
    complete_at(driver, must_show, last=last)  # warm the app's cache
    driver.get_log("performance")
    driver.get(url)
    seconds = complete_at(driver, must_show, last=last) / 1000.0
    time.sleep(0.5)  # the messages after the page was complete are counted too (nothing else is drawn)
    elements, charts, tables, scripts, script_bytes = driver.execute_script(DRAWN_JS)
    frames = [
        json.loads(entry["message"])["message"]["params"]["response"]
        for entry in driver.get_log("performance")
        if '"Network.webSocketFrameReceived"' in entry["message"]
    ]
    received = sum(
        len(base64.b64decode(f["payloadData"])) if f.get("opcode") == 2 else len(f["payloadData"]) for f in frames
    )
    return {
        "load s": seconds,
        "elements": elements,
        "charts": charts,
        "tables": tables,
        "ws messages": len(frames),
        "ws kB": received / 1000.0,
        "scripts": scripts,
        "script kB": script_bytes / 1000.0,
    }


# Clicks the first element matching the selector whose text contains the given text; returns
# performance.now() at the click (the start of an interaction's time).
CLICK_JS = """
const el = [...document.querySelectorAll(arguments[0])].find(e => e.innerText.includes(arguments[1]));
if (!el) return null;
el.click();
return performance.now();
"""


def browser_interactions(
    driver: Any, url: str, must_show: str, click: tuple[str, str], shown_after: str, runs: int
) -> list[float]:
    """Seconds from a click to the page complete again showing ``shown_after``, each on a fresh load of
    the page (complete, showing ``must_show``) with the app's cache holding the answers."""
    out = []
    for _ in range(runs):
        driver.get(url)
        complete_at(driver, must_show)
        t0 = driver.execute_script(CLICK_JS, *click)
        if t0 is None:
            print(f"nothing to click on {url}: {click}; not measured")
            return []
        out.append((complete_at(driver, shown_after) - float(t0)) / 1000.0)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench_app")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--no-apptest", action="store_true", help="skip the AppTest page runs")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium page loads")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--screenshots", type=Path, default=None, help="save one screenshot per page here")
    ap.add_argument("--anatomy", action="store_true", help="what each page drew beyond the floor (one load each)")
    ap.add_argument(
        "--pages", default=",".join(PAGES), help=f"comma-separated pages to measure (default: all of {','.join(PAGES)})"
    )
    args = ap.parse_args(argv)
    chosen = set(args.pages.split(","))
    if not chosen <= set(PAGES):
        ap.error(f"--pages: unknown page(s) {', '.join(sorted(chosen - set(PAGES)))}")

    def wanted(name: str) -> bool:
        return name.split("+")[0] in chosen

    rows: list[tuple[str, str, list[float]]] = []
    with Warehouse.connect() as wh:
        r0 = shared_data.Reader(wh)
        cat = shared_data.catalog(r0)
        names = cat.names
        listed = pipelines_data.pipelines(r0, names)
        listed = listed[listed["graphlets"] > 0].sort_values("executions", ascending=False)
        if not len(listed):
            print("no graphlets in the warehouse: load a corpus and run `mlprov graphlets` first")
            return
        store, pipeline = str(listed["store"].iloc[0]), str(listed["pipeline"].iloc[0])
        ext = pipelines_data.pipeline_extent(r0, store, pipeline)
        gs = pipelines_data.pipeline_graphlets(r0, store, pipeline)
        uid = str(gs["uid"].iloc[-1])
        ov = overview_data.overview(cat, None)
        t = ov.totals
        print(
            f"warehouse {wh.connection.uri}: {t['stores']} store(s), {t['pipelines']:,} pipelines, "
            f"{t['executions']:,} executions, {t['artifacts']:,} artifacts, {t['graphlets']:,} graphlets"
        )
        print(f"selection: pipeline {pipeline} ({ext.executions:,} executions, {ext.graphlets:,} graphlets), {uid}")

        def overview() -> None:
            overview_data.overview(shared_data.catalog(shared_data.Reader(wh)), None)

        def pipelines() -> None:
            r = shared_data.Reader(wh)
            c = shared_data.catalog(r)
            pipelines_data.filter_pipelines(pipelines_data.pipelines(r, c.names), "")
            e = pipelines_data.pipeline_extent(r, store, pipeline)
            page = pipelines_data.pipeline_executions(r, store, pipeline, 1, pipelines_data.DEFAULT_PAGE_SIZE)
            lo, hi = page["created"].min(), page["updated"].max()
            pipelines_data.graphlets_between(r, store, pipeline, lo.value // 1_000_000, hi.value // 1_000_000)
            if e.graphlets:
                pipelines_data.pipeline_graphlets(r, store, pipeline, 1, pipelines_data.DEFAULT_GRAPHLET_PAGE_SIZE)

        def graphlet() -> None:
            r = shared_data.Reader(wh)
            c = shared_data.catalog(r)
            graphlet_data.pipelines_with_graphlets(r, c.names)
            graphlet_data.graphlet_choices(r, store, pipeline, uid)
            graphlet_data.graphlet(r, uid)
            graphlet_data.graphlet_members(r, uid)
            graphlet_data.graphlet_members(r, uid, 1, graphlet_data.MAX_DRAWN)
            graphlet_data.graphlet_edges(r, uid)
            hist = graphlet_data.graphlet_neighbours(r, uid)
            push_model.features_of(wh, hist[hist["offset"] <= 0]["uid"].tolist(), graphlet_data.HISTORY_K)

        def predictor() -> None:
            c = shared_data.catalog(shared_data.Reader(wh))
            tradeoff_data.predictions(c, c.names)

        def console() -> None:
            shared_data.catalog(shared_data.Reader(wh))
            console_data.console_run(
                wh, "MATCH (g:Graphlet) RETURN g.pipeline AS p, count(*) AS n ORDER BY n DESC", {}, 1000, 30
            )

        for name, fn in (
            ("overview", overview),
            ("pipelines", pipelines),
            ("graphlet", graphlet),
            ("predictor", predictor),
            ("console", console),
        ):
            if wanted(name):
                rows.append((name, "data", timed(fn, args.runs)))

        if not args.no_apptest:
            from streamlit.components.v2.component_manager import BidiComponentManager
            from streamlit.testing.v1 import AppTest

            # Each new AppTest scans every installed distribution's metadata for Streamlit components on
            # its first run (0.5 s for an empty page at load average 17 on the 2-core box); `mlprov app` does
            # this once at startup. The page runs share one scan so they time the page.
            components = BidiComponentManager()
            components.discover_and_register_components(start_file_watching=False)

            def page(page: str, **query: str) -> Any:
                common.forget_warehouse()
                at = AppTest.from_file(MAIN, default_timeout=120)
                at._bidi_component_manager = components
                at.query_params.update(query)
                at.switch_page(page)
                return at

            def checked(at: Any) -> Any:
                at.run()
                assert not at.exception, [e.value for e in at.exception]
                return at

            def page_run(name: str, **query: str) -> Callable[[], None]:
                return lambda: checked(page(name, **query))

            def rerun(at: Any, state: dict[str, Any]) -> Callable[[], None]:
                """The page rerun with this session state (a tab or the expander open; AppTest sends it for
                one run), from the cache as in the browser."""

                def run() -> None:
                    for key, value in state.items():
                        at.session_state[key] = value
                    checked(at)

                return run

            pipelines_page = checked(page("pipelines.py", store=store, pipeline=pipeline))
            graphlet_page = checked(page("graphlet.py", uid=uid))
            for name, fn, clear in (
                ("overview", page_run("overview.py"), True),
                ("pipelines", page_run("pipelines.py", store=store, pipeline=pipeline), True),
                ("graphlet", page_run("graphlet.py", uid=uid), True),
                ("predictor", page_run("tradeoff.py"), True),
                ("console", page_run("console.py"), True),
                ("pipelines+cypher", rerun(pipelines_page, {common.CYPHER_KEY: True}), False),
                ("graphlet+tab", rerun(graphlet_page, {TAB_KEY: HISTORY_TAB}), False),
                ("overview+nav", page_run("overview.py"), False),
            ):
                if wanted(name):
                    rows.append((name, "apptest", timed(fn, args.runs, clear)))

    if not args.no_browser:
        quoted = urllib.parse.urlencode({"store": store, "pipeline": pipeline})
        pages = (
            ("overview", "", "Cost by stage"),
            ("pipelines", f"/pipelines?{quoted}", "Model graphlets"),
            ("graphlet", f"/graphlet?{urllib.parse.urlencode({'uid': uid})}", uid),
            ("predictor", "/tradeoff", "Freshness"),
            ("console", "/console", "Cypher console"),
        )
        expander = ('[data-testid="stExpander"] summary', "Cypher this page ran")
        interactions = (
            ("pipelines+cypher", pages[1], expander, "MATCH (s:Store)"),
            ("graphlet+tab", pages[2], ('[role="tab"]', HISTORY_TAB), "Graphlets before and after"),
            ("overview+nav", pages[4], ('[data-testid="stSidebarNav"] a', "Overview"), "Cost by stage"),
        )
        floor_script = Path(tempfile.mkdtemp(prefix="bench_app_floor_")) / "floor.py"
        floor_script.write_text(FLOOR_SCRIPT)
        drawn: list[tuple[str, dict[str, float]]] = []
        with (
            served_app(args.port) as base,
            served_app(args.port + 1, script=floor_script) as floor_base,
            Warehouse.connect() as wh,
        ):
            driver = chromium()
            try:
                if wanted("floor"):  # beside the app's pages, alternated: the same machine load for each
                    targets = [("floor", floor_base, FLOOR_TEXT, "")]
                    targets += [(name, base + path, shown, LAST_ELEMENT) for name, path, shown in pages if wanted(name)]
                    for name, times in alternated(driver, targets, args.runs).items():
                        rows.append((name, "browser alt.", times))
                for name, path, must_show in pages:
                    if not wanted(name):
                        continue
                    warm, cold = browser_loads(driver, wh, base + path, must_show, args.runs)
                    rows.append((name, "browser warm", warm))
                    rows.append((name, "browser cold", cold))
                    if args.screenshots is not None:
                        args.screenshots.mkdir(parents=True, exist_ok=True)
                        driver.save_screenshot(str(args.screenshots / f"{name}.png"))
                for name, (_, path, must_show), click, shown_after in interactions:
                    if wanted(name):
                        times = browser_interactions(driver, base + path, must_show, click, shown_after, args.runs)
                        if times:
                            rows.append((name, "browser warm", times))
            finally:
                driver.quit()
            if args.anatomy:
                driver = chromium(devtools_log=True)
                try:
                    if wanted("floor"):
                        drawn.append(("floor", anatomy(driver, floor_base, FLOOR_TEXT, last="")))
                    for name, path, must_show in pages:
                        if wanted(name):
                            drawn.append((name, anatomy(driver, base + path, must_show)))
                finally:
                    driver.quit()

    if drawn:
        print("\nwhat a warm page load drew (one load each, DevTools recording on)")
        print(f"{'page':<10} " + " ".join(f"{k:>11}" for k in drawn[0][1]))
        for name, counts in drawn:
            print(
                f"{name:<10} " + " ".join(f"{v:>11.3f}" if k == "load s" else f"{v:>11,.0f}" for k, v in counts.items())
            )
    load = os.getloadavg()
    print(f"\nload average during the run (1/5/15 min): {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(f"{'page':<16} {'measure':<13} {'runs':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7}  goal p95 ≤ 1 s")
    for name, measure, xs in rows:
        ok = "ok" if p95(xs) <= 1.0 else "MISSED"
        print(
            f"{name:<16} {measure:<13} {len(xs):>4} {statistics.median(xs):>7.3f} {p95(xs):>7.3f} {max(xs):>7.3f}  {ok}"
        )


if __name__ == "__main__":
    main()
