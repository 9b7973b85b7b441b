"""Imports run one way: each folder imports only from the layers below it (docs/contributing.md, "Layout").

core (``core/``: settings, server, db, queries, errors, consoles) ← ``loader`` ← ``features`` and
``graphlets`` ← ``analysis`` ← ``app`` and ``generator`` ← ``core/cli.py``, the composition root that
wires the commands. ``cypher/`` holds only statements.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER = {"core": 0, "cypher": 0, "loader": 1, "features": 2, "graphlets": 2, "analysis": 3, "app": 4, "generator": 4}


def _target(module: str) -> str | None:
    """The folder an ``mlprov…`` module lives in (None: not ours, or the CLI)."""
    parts = module.split(".")
    if parts[0] != "mlprov":
        return None
    if len(parts) > 1 and parts[1] == "cli":
        return "cli"
    return parts[1] if len(parts) > 1 and parts[1] in LAYER else "core"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_imports_run_downwards_only() -> None:
    upward: list[str] = []
    checked = 0
    for folder in LAYER:
        if not (ROOT / folder).is_dir():
            continue
        for path in sorted((ROOT / folder).rglob("*.py")):
            if folder == "core" and path.name == "cli.py":
                continue  # the composition root may import everything
            checked += 1
            for module in _imports(path):
                target = _target(module)
                if target is None or target == folder:
                    continue
                if target == "cli" or LAYER[target] > LAYER[folder]:
                    upward.append(f"{path.relative_to(ROOT)} imports {module} ({folder} → {target})")
    assert checked > 50
    assert not upward, "imports against the layering:\n" + "\n".join(sorted(upward))
