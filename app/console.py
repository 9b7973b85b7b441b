"""Console page: the analysts' `cypher/library` queries and free Cypher, read-only.

Statements go through the same guard as ``mlprov query`` (``mlprov.analysis.library.run_analyst``): planned
first (LOAD CSV, TERMINATE TRANSACTIONS and admin procedures refused), then run in a READ
transaction with a row limit and a timeout, so the server itself refuses every write. Parameters
are always bound, never pasted into the statement.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from mlprov.analysis import library as analyst
from mlprov.app import common, console_data
from mlprov.errors import MlprovError
from mlprov.queries import query

FREE = "(free Cypher)"
DEFAULT_TEXT = query("app/console_example").text


def parse_lines(text: str) -> dict[str, Any]:
    """``NAME=VALUE`` lines (blank lines ignored) into bound parameters, values parsed like ``--param``."""
    return analyst.parse_params([line for line in text.splitlines() if line.strip()])


def render() -> None:
    st.title("Cypher console")
    r = common.reader()
    common.sidebar(r, require_data=False)  # the stores, the connection, the refresh button
    st.caption(
        "Read-only: statements run in a READ transaction (the server refuses writes) after a plan check; "
        "parameters are bound as `$name`."
    )
    library = analyst.library()
    names = [FREE, *library]
    choice = st.selectbox(
        "Library query",
        names,
        key="console_query",
        format_func=lambda n: n if n == FREE else f"{n} — {library[n].purpose[:90]}",
    )
    if st.session_state.get("_console_loaded") != choice:  # a new choice loads its text into the editor
        st.session_state["_console_loaded"] = choice
        st.session_state["console_text"] = DEFAULT_TEXT if choice == FREE else library[str(choice)].text
    text = st.text_area("Cypher", key="console_text", height=220)

    params: dict[str, Any] = {}
    error: str | None = None
    try:
        if choice != FREE:
            q = library[str(choice)]
            st.caption(f"Parameters: {q.parameters} · Returns: {q.returns}")
            optional = analyst.optional_params(q)
            cols = st.columns(max(1, len(q.param_names)))
            for i, name in enumerate(sorted(q.param_names)):
                raw = cols[i].text_input(
                    f"${name}" + (" (optional)" if name in optional else ""), key=f"console_param_{choice}_{name}"
                )
                if raw.strip():
                    params[name] = analyst.parse_value(raw)
                elif name in optional:
                    params[name] = None
        extra = st.text_area("More parameters (one NAME=VALUE per line)", key="console_params", height=68)
        params.update(parse_lines(extra))
    except MlprovError as exc:
        error = str(exc)

    c1, c2, c3 = st.columns([1, 1, 2])
    limit = int(c1.number_input("Row limit", min_value=1, max_value=100_000, value=1000, step=100, key="console_limit"))
    timeout = float(c2.number_input("Timeout (s)", min_value=1, max_value=600, value=30, step=5, key="console_timeout"))
    run = c3.button("Run", type="primary", key="console_run")

    if run:
        if error is not None:
            st.session_state["console_result"] = {"error": error}
        elif not text.strip():
            st.session_state["console_result"] = {"error": "the statement is empty"}
        else:
            try:
                result = console_data.console_run(r.wh, text, params, limit, timeout)
                st.session_state["console_result"] = {"result": result, "text": text, "params": params}
            except MlprovError as exc:
                st.session_state["console_result"] = {"error": str(exc), "text": text, "params": params}

    shown = st.session_state.get("console_result")
    if shown:
        if "error" in shown:
            st.error(shown["error"])
        else:
            result = shown["result"]
            frame = console_data.result_frame(result)
            cut = f" (cut at the row limit of {result.limit:,})" if result.truncated else ""
            st.caption(f"{len(frame):,} row(s){cut}")
            st.dataframe(frame, hide_index=True)
            st.download_button(
                "Download CSV",
                frame.to_csv(index=False).encode("utf-8"),
                file_name="mlprov_query.csv",
                mime="text/csv",
                key="console_csv",
                on_click="ignore",
            )
    ran = [("console", shown["text"], shown["params"])] if shown and "text" in shown else []
    common.show_cypher(r, extra=ran)


if __name__ == "__main__":
    render()
