"""End to end in headless Chromium: `mlprov app` on a real loaded Neo4j, driven with Selenium.

Opens every page, selects a pipeline and a graphlet, trains a model (`mlprov train`) and runs a
prediction from the Graphlet page, runs a console query (CSV download offered) and proves a write
statement is refused. Screenshots go to a temp dir (path printed), and to ``MLPROV_SCREENSHOTS`` when
set (``docs/screenshots/`` for the docs). With ``MLPROV_SCREENSHOTS_AS_LOADED=1`` and ``NEO4J_URI`` the
test runs on the warehouse there as it is loaded (a real corpus, for screenshots at its scale): nothing
is cleared or loaded; the test trains a model in its own ``MLPROV_HOME`` and writes its predictions to
the warehouse, as on its own corpus. Only ``test_every_page_in_chromium`` that way (``-k``). Needs
Debian's ``chromium`` and ``chromium-driver`` (``scripts/ensure-browser`` installs them) and the
``selenium`` package.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mlprov.db import Warehouse
from tests.conftest import run_cli
from tests.served_app import complete_at, niced, served_app
from tests.test_app import free_port, load_corpus, q

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (dev extra)")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="chromium / chromium-driver missing: run scripts/ensure-browser"
)
WAIT = 60.0
AS_LOADED = "MLPROV_SCREENSHOTS_AS_LOADED"


@pytest.fixture(scope="module")
def corpus(_session_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The app tests' corpus, or (``MLPROV_SCREENSHOTS_AS_LOADED=1``) the warehouse ``NEO4J_URI`` names as
    it is loaded."""
    if os.environ.get(AS_LOADED) == "1":
        if not os.environ.get("NEO4J_URI"):
            raise pytest.UsageError(f"{AS_LOADED}=1 needs NEO4J_URI: the loaded warehouse to show")
        return _session_warehouse
    return load_corpus(_session_warehouse, tmp_path_factory.mktemp("app_corpus"))


@pytest.fixture(scope="module")
def trained(corpus: Warehouse) -> Iterator[Warehouse]:
    """A push model trained on the loaded corpus; the models folder is restored afterwards."""
    home = Path(os.environ["MLPROV_HOME"])
    models = home / "models"
    before = {p.name: p.read_bytes() for p in models.glob("*")} if models.exists() else {}
    res = run_cli("train")
    assert res.returncode == 0, res.stderr
    yield corpus
    for p in models.glob("*"):
        if p.name not in before:
            p.unlink()
        elif p.read_bytes() != before[p.name]:
            p.write_bytes(before[p.name])


@pytest.fixture(scope="module")
def server(trained: Warehouse) -> Iterator[str]:
    with served_app(free_port()) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    launchers = tmp_path_factory.mktemp("launchers")
    opts.binary_location = niced(str(CHROMIUM), launchers)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1500,1100",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=niced(str(DRIVER), launchers)), options=opts)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Callable[[WebDriver, str], Path]:
    folder = tmp_path_factory.mktemp("screenshots")
    keep = os.environ.get("MLPROV_SCREENSHOTS")
    print(f"screenshots in {folder}")

    def take(driver: WebDriver, name: str) -> Path:
        settle(driver)
        path = folder / f"{name}.png"
        # the whole page, not just the window
        height = driver.execute_script(
            "const m = document.querySelector('[data-testid=\"stMain\"]') || document.body; return m.scrollHeight;"
        )
        driver.set_window_size(1500, max(1100, min(int(height) + 200, 6000)))
        settle(driver)
        driver.save_screenshot(str(path))
        driver.set_window_size(1500, 1100)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(keep) / path.name)
        return path

    return take


def wait_for(driver: WebDriver, check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            found = check()
            if found:
                return found
        except Exception as exc:  # stale elements while Streamlit re-renders
            last = exc
        time.sleep(0.3)
    raise TimeoutException(f"timed out waiting for {what} ({last})")


def settle(driver: WebDriver) -> None:
    """Wait until Streamlit finished the script run (no "running" status, no stale elements)."""
    time.sleep(0.5)
    wait_for(
        driver,
        lambda: (
            not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
            and not driver.find_elements(By.CSS_SELECTOR, '[data-stale="true"]')
        ),
        "the script run to finish",
    )
    time.sleep(0.7)  # charts draw after the run


def page_text(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def open_page(driver: WebDriver, url: str, title: str) -> None:
    """Load a page until it is complete as the benchmark defines it (tests/served_app.py)."""
    driver.get(url)
    wait_for(driver, lambda: any(h.text == title for h in driver.find_elements(By.TAG_NAME, "h1")), f"page {title}")
    complete_at(driver, title, WAIT)
    settle(driver)


def chart_states(driver: WebDriver) -> list[tuple[bool, bool]]:
    """(visible to the user, drawn) of each chart of the page, in page order."""
    return [
        (bool(v), bool(d))
        for v, d in driver.execute_script(
            "return [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
            ".map(c => [c.checkVisibility(), !!c.querySelector('canvas, svg')])"
        )
    ]


def image_states(driver: WebDriver) -> list[tuple[bool, bool]]:
    """(visible to the user, loaded) of each image of the page (the static charts), in page order."""
    return [
        (bool(v), bool(d))
        for v, d in driver.execute_script(
            "return [...document.querySelectorAll('[data-testid=\"stImage\"] img')]"
            ".map(i => [i.checkVisibility(), i.complete && i.naturalWidth > 0])"
        )
    ]


def unfold(driver: WebDriver, label: str) -> None:
    """Open the folded section whose summary shows this text."""
    wait_for(
        driver,
        lambda: next(
            (e for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"] summary') if label in e.text),
            None,
        ),
        f"the folded section {label!r}",
    ).click()


def selectbox(driver: WebDriver, label: str) -> WebElement:
    def find() -> WebElement | None:
        for box in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSelectbox"]'):
            if box.find_element(By.TAG_NAME, "label").text.strip() == label:
                return box
        return None

    found: WebElement = wait_for(driver, find, f"selectbox {label!r}")
    return found


def choose(driver: WebDriver, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by typing it, as a user would."""
    box = selectbox(driver, label)
    box.find_element(By.TAG_NAME, "input").click()
    field = box.find_element(By.TAG_NAME, "input")
    field.send_keys(option)
    wait_for(
        driver,
        lambda: any(option in o.text for o in driver.find_elements(By.CSS_SELECTOR, '[role="option"]')),
        f"option {option!r}",
    )
    for o in driver.find_elements(By.CSS_SELECTOR, '[role="option"]'):
        if option in o.text:
            o.click()
            break
    settle(driver)


def button(driver: WebDriver, text: str) -> WebElement:
    return wait_for(
        driver,
        lambda: next((b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == text), None),
        f"button {text!r}",
    )


def alerts(driver: WebDriver) -> list[str]:
    return [str(a.text) for a in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stAlert"]')]


def console(driver: WebDriver, base: str, statement: str) -> None:
    open_page(driver, base + "/console", "Cypher console")
    area = driver.find_element(By.CSS_SELECTOR, '[data-testid="stTextArea"] textarea')
    area.click()
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(statement)
    area.send_keys(Keys.CONTROL, Keys.ENTER)  # commit the text area
    settle(driver)
    button(driver, "Run").click()
    settle(driver)


def test_every_page_in_chromium(
    trained: Warehouse, server: str, browser: WebDriver, shots: Callable[[WebDriver, str], Path]
) -> None:
    d, wh = browser, trained
    # Overview: the numbers the graph holds
    open_page(d, server, "Overview")
    n = q(wh, "MATCH (g:Graphlet) RETURN count(g) AS n")[0]["n"]
    wait_for(d, lambda: f"{n:,}" in page_text(d) and "Cost by stage" in page_text(d), "overview metrics")
    complete_at(d, "Models per day", WAIT)
    assert chart_states(d) == [] and image_states(d) == [(True, True), (True, True)]  # both charts, as images
    shots(d, "overview")

    # Pipelines: select the pipeline with the most decided graphlets, see its trace and graphlets
    top = q(
        wh,
        "MATCH (g:Graphlet) WHERE g.pushed IS NOT NULL "
        "RETURN g.store AS store, g.pipeline AS pipeline, count(g) AS n ORDER BY n DESC, pipeline LIMIT 1",
    )[0]
    open_page(d, server + "/pipelines", "Pipelines")
    choose(d, "Pipeline", top["pipeline"])
    wait_for(
        d,
        lambda: any(h.text == top["pipeline"] for h in d.find_elements(By.TAG_NAME, "h3")),
        "the chosen pipeline's header",
    )
    # the trace is an image; the whole-life chart and the zoomable trace are drawn once their folds are opened
    wait_for(d, lambda: image_states(d) == [(True, True)], "the trace (an image)")
    assert chart_states(d) == []
    unfold(d, "Whole life")
    wait_for(
        d, lambda: len(d.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')) == 1, "whole-life chart"
    )
    complete_at(d, top["pipeline"], WAIT)
    assert chart_states(d) == [(True, True)] and image_states(d) == [(True, True)]
    shots(d, "pipelines")
    unfold(d, "Explore the trace")
    wait_for(d, lambda: len(d.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')) == 2, "zoomable trace")
    complete_at(d, top["pipeline"], WAIT)
    assert chart_states(d) == [(True, True), (True, True)]

    # Graphlet: pick one of that pipeline's graphlets (a recent one: the picker lists the latest 200 of a
    # chosen pipeline), then run the predictor on it
    uid = q(
        wh,
        "MATCH (g:Graphlet {store: $s, pipeline: $p}) WHERE g.pushed IS NOT NULL RETURN g.uid AS uid "
        "ORDER BY g.trainer_created DESC SKIP 1 LIMIT 1",
        s=top["store"],
        p=top["pipeline"],
    )[0]["uid"]
    open_page(d, server + "/graphlet", "Graphlet")
    choose(d, "Pipeline", top["pipeline"])
    choose(d, "Graphlet", uid)
    wait_for(d, lambda: any(h.text == uid for h in d.find_elements(By.TAG_NAME, "h3")), "the chosen graphlet")
    shots(d, "graphlet")
    tab = wait_for(
        d,
        lambda: next((t for t in d.find_elements(By.CSS_SELECTOR, '[role="tab"]') if "Prediction" in t.text), None),
        "Prediction tab",
    )
    tab.click()
    button(d, "Run the predictor").click()
    settle(d)
    wait_for(d, lambda: any("written back" in a for a in alerts(d)), "prediction written back")
    assert q(wh, "MATCH (g:Graphlet {uid: $u}) RETURN g.push_probability AS p", u=uid)[0]["p"] is not None
    d.refresh()
    # complete with the first tab drawn (cost by stage, an image, loaded); the Prediction tab's content,
    # its contributions chart, is drawn only once the tab is opened (a rerun)
    complete_at(d, uid, WAIT)
    assert chart_states(d) == [] and image_states(d) == [(True, True)]
    assert "Push probability" not in page_text(d)
    settle(d)
    tab = wait_for(
        d,
        lambda: next((t for t in d.find_elements(By.CSS_SELECTOR, '[role="tab"]') if "Prediction" in t.text), None),
        "Prediction tab",
    )
    tab.click()
    wait_for(d, lambda: "Push probability" in page_text(d), "the prediction shown")
    complete_at(d, "Push probability", WAIT)
    assert chart_states(d) == [(True, True)]  # the contributions chart, in sight, has drawn (Members is not drawn)
    shots(d, "graphlet_prediction")

    # Predictor: the curve from the predictions written back
    res = run_cli("predict", "--limit", "0")
    assert res.returncode == 0, res.stderr
    n_all = q(wh, "MATCH (g:Graphlet) RETURN count(g) AS n")[0]["n"]
    assert f"{n_all:,} graphlet(s) predicted" in res.stdout
    decided = q(
        wh,
        "MATCH (g:Graphlet) WHERE g.pushed IS NOT NULL RETURN g.pushed AS pushed, g.push_probability AS p",
    )
    assert all(r["p"] is not None for r in decided)
    pushed = [r for r in decided if r["pushed"]]
    fresh = sum(1 for r in pushed if r["p"] >= 0.5) / len(pushed)  # the page's default threshold is 0.5
    open_page(d, server + "/tradeoff", "Predictor")
    wait_for(d, lambda: "Freshness at threshold" in page_text(d), "freshness metrics")
    wait_for(d, lambda: f"{fresh:.1%}" in page_text(d), f"freshness {fresh:.1%} at the default threshold")
    shots(d, "predictor")

    # Console: a query with a table and a CSV download
    console(
        d, server, "MATCH (g:Graphlet) RETURN g.pipeline AS pipeline, count(*) AS graphlets ORDER BY graphlets DESC"
    )
    wait_for(d, lambda: d.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]'), "the result table")
    assert button(d, "Download CSV")
    shots(d, "console")

    # ... and a write is refused, visibly, and nothing is written
    before = q(wh, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    console(d, server, "CREATE (n:Evil {x: 1}) RETURN n")
    wait_for(d, lambda: any("refused" in a for a in alerts(d)), "the refusal")
    shots(d, "console_refused")
    assert q(wh, "MATCH (n) RETURN count(n) AS n")[0]["n"] == before


def test_served_app_with_neo4j_down_says_so_on_every_page(browser: WebDriver) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_PASSWORD": "x", "MLPROV_RETRY_SECONDS": "1"}
    with served_app(free_port(), env) as base:
        for page in ("", "/pipelines", "/graphlet", "/tradeoff", "/console"):
            browser.get(base + page)
            found = wait_for(browser, lambda: [a for a in alerts(browser) if uri in a], f"the Neo4j error on {page!r}")
            assert len(found) == 1 and "\n" not in found[0].strip(), found
            assert "Traceback" not in page_text(browser)
            assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]')
