"""Graph model versions: every command refuses a warehouse written by another model; ``mlprov migrate``
brings an older one up to this release's.

A warehouse records the graph model version that wrote it (``loader/model.py`` ``MODEL_VERSION``) on its
one ``(:Warehouse {id: 'mlprov', graph_model_version})`` node, created with its first :Store node
(``load/store_begin``, or the bulk import). A graph with stores and no such node was written before
versioning: version 1. Commands connect through ``connect``, which reads the version once (one
index seek) and stops with one line when it is not this release's, before reading or writing
anything else: an older graph is never mixed with rows of the newer model.

``migrate`` runs the steps ``cypher/migrate/v<N>_to_v<N+1>.cypher`` from the graph's version up to
``MODEL_VERSION`` in order, holding every store's lock (``core/locks.py``), and records the version
reached after each step. Each step is idempotent and bounded (``CALL { } IN TRANSACTIONS``), so an
interrupted migration is finished by running it again, and a migrated warehouse is left as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from mlprov import console
from mlprov.db import Warehouse
from mlprov.errors import ModelVersionError
from mlprov.loader import model
from mlprov.locks import lock_scope, store_locks
from mlprov.queries import Query, query


def graph_version(wh: Warehouse) -> int | None:
    """The graph model version the warehouse was written with; None when it is empty (no version, no store)."""
    row = wh.read("migrate/version")[0]
    if row["version"] is not None:
        return int(row["version"])
    return model.UNVERSIONED if row["stores"] else None


def _newer(wh: Warehouse, version: int) -> ModelVersionError:
    return ModelVersionError(
        f"the warehouse at {wh.connection.uri} has graph model version {version}, newer than the version "
        f"{model.MODEL_VERSION} this mlprov writes: upgrade mlprov to a release that writes version {version}"
    )


def require_current_model(wh: Warehouse) -> None:
    """Refuse (one line, ``ModelVersionError``) a warehouse written by another graph model; an empty one is fine."""
    version = graph_version(wh)
    if version is None or version == model.MODEL_VERSION:
        return
    if version > model.MODEL_VERSION:
        raise _newer(wh, version)
    raise ModelVersionError(
        f"the warehouse at {wh.connection.uri} has graph model version {version}, "
        f"this mlprov writes {model.MODEL_VERSION}: run `mlprov migrate`"
    )


def connect() -> Warehouse:
    """Connect as the commands do (``console.connect``) and check the graph model version."""
    wh = console.connect()
    try:
        require_current_model(wh)
    except BaseException:
        wh.close()
        raise
    return wh


@dataclass(frozen=True)
class Step:
    """One migration step: the statement that brings a graph from ``version - 1`` to ``version``."""

    version: int
    query: Query


def steps_from(version: int) -> list[Step]:
    """The migration steps from ``version`` up to ``MODEL_VERSION``, in the order they run."""
    return [Step(v + 1, query(f"migrate/v{v}_to_v{v + 1}")) for v in range(version, model.MODEL_VERSION)]


@dataclass(frozen=True)
class Plan:
    """Where a warehouse stands: its version (None: empty) and the steps that bring it to ``MODEL_VERSION``."""

    version: int | None
    steps: list[Step]


def plan(wh: Warehouse) -> Plan:
    """What ``migrate`` would do; refuses a warehouse newer than this mlprov."""
    version = graph_version(wh)
    if version is not None and version > model.MODEL_VERSION:
        raise _newer(wh, version)
    return Plan(version, steps_from(version) if version is not None else [])


def migrate(wh: Warehouse, *, on_step: Callable[[Step, float], None] | None = None) -> Plan:
    """Run the pending steps holding every store's lock; returns the plan as it stood once the locks
    were held (no steps: nothing was to do). ``on_step`` hears of each finished step and its seconds."""
    todo = plan(wh)
    if not todo.steps:
        return todo
    with store_locks(wh, lock_scope(wh), "migrate"):
        todo = plan(wh)  # again under the locks: another migrate may have finished meanwhile
        if todo.steps:
            wh.apply_schema("schema/constraints")
        for step in todo.steps:
            started = time.monotonic()
            wh.run_batched(step.query.name)
            wh.write("migrate/set_version", version=step.version)
            if on_step:
                on_step(step, time.monotonic() - started)
    return todo
