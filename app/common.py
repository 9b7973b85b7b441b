"""Streamlit helpers shared by the pages: the connection, the store filter, the folded Cypher."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pickle
from collections.abc import Callable
from dataclasses import replace
from typing import Any, NoReturn, TypeVar

import pandas as pd
import streamlit as st

from mlprov.app import figures, push_model, shared_data
from mlprov.db import Warehouse
from mlprov.errors import MlprovError
from mlprov.loader.migrate import require_current_model
from mlprov.queries import query
from mlprov.server import ManagedServer
from mlprov.settings import resolve_connection

ALL_STORES = "All stores"
TYPES = {"Q": "quantitative", "N": "nominal", "O": "ordinal", "T": "temporal"}
STORE_KEY = "store"  # the sidebar's store filter
STORE_FOLD_KEY = "store_shown"  # its fold (with the "Refresh data" button): open when True
CYPHER_KEY = "cypher_shown"  # the folded "Cypher this page ran" expander: open when True
KEPT = "_kept_"  # the session-state prefix of widget values kept while their widget is not drawn (kept())
T = TypeVar("T")
OUTCOME_COLOURS = {"pushed": "#2e7d32", "unpushed": "#c62828", "undecided": "#9e9e9e"}


@st.cache_resource(show_spinner=False)
def _warehouse(uri: str, database: str, user: str) -> Warehouse:
    # Keyed by where it connects (never by the password); a failed connect is not cached, nor is a
    # warehouse of another graph model (the page says what to run; the next run checks again).
    wh = Warehouse.connect(resolve_connection())
    try:
        require_current_model(wh)
    except MlprovError:
        wh.close()
        raise
    return wh


def stop_with(message: str) -> NoReturn:
    st.error(message)
    st.stop()


def warehouse() -> Warehouse:
    """The configured warehouse, or a one-line message naming the URI and a stopped page."""
    try:
        conn = resolve_connection()
    except MlprovError as exc:
        stop_with(str(exc))
    try:
        return _warehouse(conn.uri, conn.database, conn.user)
    except MlprovError as exc:
        stop_with(str(exc) if conn.uri in str(exc) else f"Neo4j at {conn.uri}: {exc}")


def browser_base() -> str | None:
    """Neo4j Browser's address: ``MLPROV_BROWSER_URL`` when set, else the managed server's HTTP connector;
    None for another server (its Browser address is not known to mlprov)."""
    explicit = os.environ.get("MLPROV_BROWSER_URL")
    if explicit:
        return explicit
    if os.environ.get("NEO4J_URI"):
        return None
    status = ManagedServer().status()
    return status.http_uri if status.running and status.http_uri else None


def forget_warehouse() -> None:
    """Drop the cached connection (after an error) so the next run connects again."""
    _warehouse.clear()


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_read(uri: str, database: str, version: str, name: str, params_json: str) -> shared_data.Answer:
    # Keyed by where, the data version (stores' load and summary times), the query and its parameters.
    _misses.append(name)
    return shared_data.timed_read(warehouse(), name, json.loads(params_json))


_misses: list[str] = []


def _cache(wh: Warehouse, version: str, name: str, params: dict[str, Any]) -> shared_data.Answer:
    before = len(_misses)
    answer = _cached_read(
        wh.connection.uri, wh.connection.database, version, name, json.dumps(params, sort_keys=True, default=str)
    )
    hit = len(_misses) == before
    del _misses[before:]
    return replace(answer, cached=hit)


class _NotKept(Exception):
    """A failed answer, raised out of a cached function so that Streamlit keeps nothing for it."""

    def __init__(self, outcome: push_model.Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_features(uri: str, database: str, version: str, uids: tuple[str, ...], k: int) -> push_model.Outcome:
    outcome = push_model.features_of(warehouse(), list(uids), k)
    if not outcome.ok:
        raise _NotKept(outcome)
    return outcome


def features_of(r: shared_data.Reader, uids: list[str], k: int) -> push_model.Outcome:
    """The feature rows of these graphlets (``push_model.features_of``, the Graphlet page's History tab),
    cached like the reads: under the connection, the data version, the graphlets and ``k``, so a tab
    switch does not build them again and a reload does; a failure is not kept."""
    if r.version is None:
        return push_model.features_of(r.wh, uids, k)
    try:
        return _cached_features(r.wh.connection.uri, r.wh.connection.database, r.version, tuple(uids), k)
    except _NotKept as exc:
        return exc.outcome


def clear_cache() -> None:
    """Forget every cached answer (the "Refresh data" button, after a prediction, between tests)."""
    _cached_read.clear()
    _cached_features.clear()


def reader() -> shared_data.Reader:
    """A reader for this page run, its answers cached per data version (see shared_data)."""
    return shared_data.Reader(warehouse(), cache=_cache)


def sidebar(r: shared_data.Reader, require_data: bool = True) -> tuple[str | None, shared_data.Catalog]:
    """The sidebar: where the app is connected, the store filter and a refresh button. Returns the
    chosen store (None: all) and the stores with their summaries (read fresh: they set the reader's
    cache version). An empty warehouse is said plainly (and stops the page if it needs data)."""
    with st.sidebar:
        st.caption(f"Neo4j: {r.wh.connection.uri} (database {r.wh.connection.database})")
        try:
            cat = shared_data.catalog(r)
            names = cat.names
        except MlprovError as exc:  # Neo4j went away since the connection was made: one line, reconnect next run
            forget_warehouse()
            stop_with(str(exc))
        options = [ALL_STORES, *names]
        chosen = next(
            (v for v in (st.session_state.get(k) for k in (STORE_KEY, KEPT + STORE_KEY)) if v in options), ALL_STORES
        )
        # The filter and the refresh button are drawn once the user opens their fold: a select box in the
        # sidebar cost every page load ~0.1–0.2 s of the browser's main thread (docs/benchmarks-log.md#app).
        box = folded(f"Store: {chosen}", STORE_FOLD_KEY)
        if box is not None:
            with box:
                st.session_state[STORE_KEY] = chosen
                chosen = str(st.selectbox("Store", options, key=STORE_KEY))
                if st.button("Refresh data", help="Forget cached answers and query Neo4j again"):
                    clear_cache()
                    st.rerun()
        st.session_state[KEPT + STORE_KEY] = chosen
    if not names:
        st.info(
            "The warehouse is empty: no MLMD store is loaded. Load one with `mlprov load PATH` and build "
            "the model graphlets with `mlprov graphlets` (or run `mlprov demo`)."
        )
        if require_data:
            show_cypher(r)
            st.stop()
    store = None if chosen == ALL_STORES else str(chosen)
    loading = cat.loading(store)
    if loading:
        st.info(shared_data.loading_line(loading))
    stale = cat.stale(store)
    if stale and names:
        st.warning(shared_data.stale_line(stale))
    return store, cat


def folded(label: str, key: str) -> Any:
    """A folded expander whose content is drawn only once the user opens it (a rerun of the page, its
    answers then cached): the expander to draw into, or None while it is folded. Streamlit draws a
    folded expander's content all the same, and the browser pays for it on every page load."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def show_cypher(r: shared_data.Reader, extra: list[tuple[str, str, dict[str, Any]]] | None = None) -> None:
    """Every query the page ran, folded, ready to paste into Neo4j Browser (with its parameters)."""
    seen: set[str] = set()
    items: list[tuple[str, str, dict[str, Any], str]] = []
    for ran in r.ran:
        key = ran.name + json.dumps(ran.params, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        took = f"{ran.seconds * 1000:.0f} ms"
        note = f"{took} when read, now from the cache" if ran.cached else took
        items.append((ran.name, query(ran.name).text, ran.params, f"{ran.rows} row(s), {note}"))
    for name, text, params in extra or []:
        items.append((name, text, params, ""))
    # Highlighted code costs the browser hundreds of ms per page load even while folded (its highlighter
    # loads with the first code block): drawn only when opened.
    box = folded(f"Cypher this page ran ({len(items)} statement(s))", CYPHER_KEY)
    if box is None:
        return
    with box:
        for name, text, params, note in items:
            st.markdown(f"**`{name}`** {note}")
            if params:
                st.code(":params " + json.dumps(params, default=str), language="text")
            st.code(text, language="cypher")


def field(shorthand: str, **props: Any) -> dict[str, Any]:
    """A Vega-Lite field definition from Altair's shorthand: ``field("cost:Q", format=",.1f")``."""
    name, _, kind = shorthand.partition(":")
    return {"field": name, "type": TYPES[kind], **props}


def scale(colours: dict[str, str]) -> dict[str, list[str]]:
    """A Vega-Lite scale giving each value of the mapping its colour (or shape)."""
    return {"domain": list(colours), "range": list(colours.values())}


def chart(spec: dict[str, Any], **data: pd.DataFrame) -> None:
    """A Vega-Lite chart the width of the page, from its spec and its named data sets (each view says
    which: ``"data": {"name": ...}``). Specs are plain dicts: Altair validates a chart against the
    Vega-Lite schema on every page run (~150 ms for the Pipelines page's trace, 2-core machine)."""
    st.vega_lite_chart({**spec, "datasets": data}, width="stretch")


def table(
    df: pd.DataFrame, index: str, names: dict[str, str] | None = None, decimals: dict[str, int] | None = None
) -> None:
    """A static table: rows labelled by the ``index`` column, every value in full (long ones wrap), times
    in UTC to the second, numbers with thousands separators (``shared_data.text_table``)."""
    html_table(shared_data.text_table(df, index, names, decimals))


def html_table(frame: pd.DataFrame) -> None:
    """A frame of text as a plain HTML table (``st.html``). Streamlit's data grid (``st.dataframe``) cost a
    page load ~0.28 s of the browser's main thread for 25 rows, its static table (``st.table``) ~0.4 s for
    5 rows and ~0.85 s for 25 (17 columns; docs/benchmarks-log.md#app), an HTML table ~0.13 s for 25."""
    st.html(shared_data.html_table(frame))


@st.cache_data(show_spinner=False, max_entries=200)
def _figure(name: str, digest: str, _args: tuple[Any, ...]) -> str:
    # Keyed by the digest of the arguments: Streamlit's own hashing of the trace's frames (tz-aware times)
    # took ~0.5 s of every page run on the 2-core machine; the arguments (leading "_") are not hashed.
    png: bytes = getattr(figures, name)(*_args)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def figure(name: str, *args: Any, caption: str | None = None) -> None:
    """A static chart (``figures.<name>(*args)``, a PNG) the width of its column, drawn once per chart data
    (cached: the same data draws the same image) and shown as an image: no chart library in the browser.
    The image travels inline (a data URL) with the page: Streamlit 1.60's media endpoint failed to serve
    it (HTTP 500)."""
    digest = hashlib.sha256(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    st.image(_figure(name, digest, args), caption=caption, width="stretch")


def kept(key: str, default: Any, draw: Callable[[], T]) -> T:
    """Draw a widget that is not drawn on every run (it sits in a tab or expander drawn only when open)
    with the value it had when last drawn: Streamlit forgets the state of a widget a run does not draw,
    so a tab switch would put it back to its default. ``draw`` draws it with ``key`` and no default
    value of its own (the session state holds it)."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(KEPT + key, default)
    value = draw()
    st.session_state[KEPT + key] = value
    return value


def named(names: tuple[str, ...] | list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """Catalog queries run on the page's behalf by another module (e.g. the feature frame), for
    :func:`show_cypher`'s ``extra``."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for name in names:
        try:
            found.append((name, query(name).text, {}))
        except MlprovError:
            continue
    return found


def guarded(render: Any) -> None:
    """Run a page body; a warehouse failure mid-page becomes one clear line (and a reconnect next time)."""
    try:
        render()
    except MlprovError as exc:
        forget_warehouse()
        st.error(str(exc))


def seconds(value: Any) -> str:
    """A compute cost in seconds, readable."""
    try:
        s = float(value)
    except (TypeError, ValueError):
        return "–"
    if s >= 86_400:
        return f"{s / 86_400:,.1f} d"
    if s >= 3_600:
        return f"{s / 3_600:,.1f} h"
    if s >= 60:
        return f"{s / 60:,.1f} min"
    return f"{s:,.1f} s"


def percent(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.1%}"  # NaN (nothing to share) shows "–"
