"""The Streamlit entry file (``mlprov app`` runs ``streamlit run`` on it): page setup and navigation.

Each page is its own file in this folder, so its address is ``/<file name>`` (``/pipelines``,
``/graphlet``, ...) and ``AppTest.switch_page("pipelines.py")`` reaches it in tests.
"""

from __future__ import annotations

import streamlit as st

PAGES = (
    ("overview.py", "Overview", ":material/dashboard:"),
    ("pipelines.py", "Pipelines", ":material/timeline:"),
    ("graphlet.py", "Graphlet", ":material/hub:"),
    ("predictor.py", "Predictor", ":material/insights:"),
    ("console.py", "Console", ":material/terminal:"),
)


def main() -> None:
    st.set_page_config(page_title="mlprov", page_icon=":material/account_tree:", layout="wide")
    pages = [st.Page(path, title=title, icon=icon, default=(i == 0)) for i, (path, title, icon) in enumerate(PAGES)]
    st.navigation(pages).run()


main()
