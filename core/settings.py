"""Where mlprov keeps its state and how it reaches Neo4j.

``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE`` win; without ``NEO4J_URI``
the managed server under ``MLPROV_HOME`` is used. ``MLPROV_HOME`` defaults to the user's data
directory (``$XDG_DATA_HOME/mlprov`` or ``~/.local/share/mlprov``); the downloaded server jars live
in the cache directory (``$XDG_CACHE_HOME/mlprov`` or ``~/.cache/mlprov``) so several homes share them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from mlprov.errors import ConfigError


def replace_text(path: Path, text: str) -> None:
    """Write ``path`` whole (a file beside it, then renamed over it): a reader sees the old text or the new,
    never half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def mlprov_home() -> Path:
    """The state directory: managed server, models, reports."""
    env = os.environ.get("MLPROV_HOME")
    if env:
        return Path(env).expanduser().resolve()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mlprov"


def cache_dir() -> Path:
    """Shared download cache (server jars), independent of ``MLPROV_HOME``."""
    env = os.environ.get("MLPROV_CACHE")
    if env:
        return Path(env).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlprov"


@dataclass(frozen=True)
class Connection:
    """How to reach a Neo4j server. ``origin`` says where the settings came from."""

    uri: str
    user: str
    password: str
    database: str
    origin: str

    def describe(self) -> str:
        """A line for humans: never includes the password."""
        return f"{self.uri} (database {self.database}, user {self.user}, from {self.origin})"


def managed_state_file(home: Path | None = None) -> Path:
    return (home or mlprov_home()) / "neo4j" / "server.json"


def managed_password_file(home: Path | None = None) -> Path:
    return (home or mlprov_home()) / "neo4j" / "password"


def resolve_connection() -> Connection:
    """Environment first, else the managed server's recorded ports and password."""
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    uri = os.environ.get("NEO4J_URI")
    if uri:
        return Connection(
            uri=uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=database,
            origin="NEO4J_URI",
        )
    state_file = managed_state_file()
    if not state_file.exists():
        raise ConfigError(
            f"no Neo4j configured: set NEO4J_URI or run `mlprov neo4j start` (MLPROV_HOME={mlprov_home()})"
        )
    state = json.loads(state_file.read_text())
    password_file = managed_password_file()
    try:
        password = password_file.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the managed server's password file {password_file}: {exc}") from exc
    return Connection(
        uri=str(state["uri"]),
        user="neo4j",
        password=password,
        database=database,
        origin=f"managed server in {state_file.parent}",
    )


def parallel_workers() -> int:
    """How many independent pieces of work (models, frame chunks, pipelines) run at once: ``MLPROV_WORKERS``,
    else one per core. Results never depend on it; only the wall time does."""
    env = os.environ.get("MLPROV_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ConfigError(f"MLPROV_WORKERS must be a whole number, got {env!r}") from None
    return max(1, os.cpu_count() or 1)
