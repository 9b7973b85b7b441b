"""The Streamlit entry file (``mlprov app`` runs ``streamlit run`` on it): page setup and navigation.

Each page is its own file in this folder, with its data code in ``<file>_data.py`` beside it; the data
module's ``PAGE`` entry (title, icon, order) puts the page in the navigation, so adding a page adds files
and edits none (docs/contributing.md). A page's address is ``/<file name>`` (``/pipelines``, ``/graphlet``,
``/tradeoff`` for the Predictor page, ...) and ``AppTest.switch_page("pipelines.py")`` reaches it in tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import streamlit as st

import mlprov.app
from mlprov.app import access
from mlprov.app.shared_data import PageEntry


def pages() -> list[tuple[Path, PageEntry]]:
    """Every page of the app in navigation order: the page file beside each data module (in any folder
    of the ``mlprov.app`` package) that declares ``PAGE``."""
    found = []
    for info in pkgutil.iter_modules(mlprov.app.__path__):
        if not info.name.endswith("_data"):
            continue
        module = importlib.import_module(f"mlprov.app.{info.name}")
        entry = getattr(module, "PAGE", None)
        if isinstance(entry, PageEntry) and module.__file__ is not None:
            found.append((Path(module.__file__).with_name(info.name.removesuffix("_data") + ".py"), entry))
    return sorted(found, key=lambda item: (item[1].order, item[1].title))


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
    nav = [st.Page(path, title=e.title, icon=e.icon, default=(i == 0)) for i, (path, e) in enumerate(pages())]
    st.navigation(nav).run()


main()
