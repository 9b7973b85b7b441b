"""Generated blocks in the docs pages: ``<!-- BEGIN name -->`` … ``<!-- END name -->``.

A page's generated block is rewritten from the code that defines it (``python -m`` of that module) and a
test compares it with the page, so docs and code cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

from mlprov.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"


def wrap(name: str, body: str) -> str:
    """``body`` between the block's markers, as it stands in the page."""
    begin, end = markers(name)
    return f"{begin}\n\n{body.strip()}\n\n{end}"


def section(page: str, name: str) -> str | None:
    """The block ``name`` currently in the page text (markers included), or None."""
    begin, end = markers(name)
    start, stop = page.find(begin), page.find(end)
    if start < 0 or stop < start:
        return None
    return page[start : stop + len(end)]


def update(path: Path, name: str, body: str) -> bool:
    """Rewrite block ``name`` of the page at ``path`` with ``body``; True when it changed."""
    text = path.read_text(encoding="utf-8")
    current = section(text, name)
    if current is None:
        begin, end = markers(name)
        raise ConfigError(f"{path} has no {begin!r} … {end!r} block")
    new = text.replace(current, wrap(name, body))
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
