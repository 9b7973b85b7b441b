"""The Streamlit entry file (``mlprov app`` runs ``streamlit run`` on it): page setup and navigation.

Each page is its own file in this folder (its data code in ``<file>_data.py`` beside it), so its address
is ``/<file name>`` (``/pipelines``, ``/graphlet``, ``/tradeoff`` for the Predictor page, ...) and
``AppTest.switch_page("pipelines.py")`` reaches it in tests.
"""

from __future__ import annotations

import streamlit as st

from mlprov.app import access

PAGES = (
    ("overview.py", "Overview", ":material/dashboard:"),
    ("pipelines.py", "Pipelines", ":material/timeline:"),
    ("graphlet.py", "Graphlet", ":material/hub:"),
    ("tradeoff.py", "Predictor", ":material/insights:"),
    ("console.py", "Console", ":material/terminal:"),
)


def gate() -> None:
    """Stop the run unless the visitor is authenticated the way the app was started (see app/access.py)."""
    auth, header = access.configured()
    if auth is access.Auth.oidc and not st.user.get("is_logged_in", False):
        st.title("mlprov")
        st.button("Log in", on_click=st.login)
        st.stop()
    if auth is access.Auth.proxy and not (header and st.context.headers.get(header)):
        st.error(f"Not authenticated: the request has no {header} header from the reverse proxy.")
        st.stop()


def main() -> None:
    st.set_page_config(page_title="mlprov", page_icon=":material/account_tree:", layout="wide")
    gate()
    pages = [st.Page(path, title=title, icon=icon, default=(i == 0)) for i, (path, title, icon) in enumerate(PAGES)]
    st.navigation(pages).run()


main()
