"""The Cypher library: every statement mlprov runs lives in ``cypher/`` as a ``.cypher`` file.

A file starts with a header of ``//`` comment lines::

    // Purpose: what the statement does.
    // Parameters: $rows (list of maps: uid, props), $store (string)
    // Returns: written (int)

followed by one statement, or, for schema files, several statements each ending in ``;``.
Queries are loaded by name (the path below ``cypher/`` without ``.cypher``, e.g. ``load/executions``)
and always run with bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from mlprov.errors import QueryError

_HEADER_KEYS = ("purpose", "parameters", "returns")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"//[^\n]*")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


@dataclass(frozen=True)
class Query:
    """One named Cypher file."""

    name: str
    text: str
    purpose: str
    parameters: str
    returns: str
    statements: tuple[str, ...] = field(default=())

    @property
    def param_names(self) -> frozenset[str]:
        body = _STRING.sub("''", _LINE_COMMENT.sub("", self.text))
        return frozenset(_PARAM.findall(body))

    def check_params(self, params: dict[str, object]) -> None:
        missing = sorted(self.param_names - params.keys())
        if missing:
            raise QueryError(f"query {self.name} needs parameter(s) {', '.join('$' + m for m in missing)}")


def parse(name: str, source: str) -> Query:
    """A query from the text of its file (header, then the statement); raises QueryError when malformed."""
    header: dict[str, list[str]] = {}
    current: str | None = None
    body_lines: list[str] = []
    in_header = True
    for line in source.splitlines():
        stripped = line.strip()
        if in_header and stripped.startswith("//"):
            content = stripped[2:].strip()
            key, sep, rest = content.partition(":")
            if sep and key.strip().lower() in _HEADER_KEYS:
                current = key.strip().lower()
                header[current] = [rest.strip()]
            elif current is not None:
                header[current].append(content)
            continue
        if in_header and not stripped:
            continue
        in_header = False
        body_lines.append(line)
    missing = [k for k in _HEADER_KEYS if not header.get(k)]
    if missing:
        raise QueryError(f"cypher/{name}.cypher lacks header field(s): {', '.join(missing)}")
    text = "\n".join(body_lines).strip()
    parts = [p.strip() for p in re.split(r";\s*(?:\n|$)", text) if p.strip()]
    return Query(
        name=name,
        text=text.rstrip(";").strip() if len(parts) == 1 else text,
        purpose=" ".join(header["purpose"]).strip(),
        parameters=" ".join(header["parameters"]).strip(),
        returns=" ".join(header["returns"]).strip(),
        statements=tuple(parts),
    )


def _walk(node: Traversable, prefix: str) -> dict[str, Query]:
    found: dict[str, Query] = {}
    for child in node.iterdir():
        if child.is_dir():
            found.update(_walk(child, f"{prefix}{child.name}/"))
        elif child.name.endswith(".cypher"):
            name = prefix + child.name[: -len(".cypher")]
            found[name] = parse(name, child.read_text(encoding="utf-8"))
    return found


@cache
def catalog() -> dict[str, Query]:
    """All queries shipped in ``mlprov.cypher``, by name."""
    return dict(sorted(_walk(resources.files("mlprov.cypher"), "").items()))


def query(name: str) -> Query:
    """The query called ``name`` (e.g. ``load/executions``)."""
    try:
        return catalog()[name]
    except KeyError:
        raise QueryError(f"no query named {name!r} in cypher/ (see `mlprov query --list`)") from None
