"""Store locks: one job at a time writes a store (``load``, ``graphlets``, ``features``, ``predict``).

A lock is a ``(:StoreLock {store})`` node in the warehouse itself (unique per store), so it holds for
every process and machine that writes the same warehouse. A second job on a locked store waits up to
``MLPROV_LOCK_WAIT_SECONDS`` (default 0) and then stops with one line naming the holder; a lock whose
holder died on this machine (its pid is gone) is taken over. Readers (the app, ``mlprov query``) take
no lock: they see committed transactions and the store's ``status``.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from mlprov.db import Warehouse
from mlprov.errors import MlprovError, ServerLostError, StoreLockedError

POLL_S = 0.5


def _alive_here(holder: dict[str, Any]) -> bool:
    """False only when the holder ran on this machine and its process is gone."""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return True
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _describe(store: str, holder: dict[str, Any]) -> str:
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(holder.get("since") or 0) / 1000))
    return (
        f"store {store!r} is locked by `mlprov {holder.get('job')}` (pid {holder.get('pid')} on "
        f"{holder.get('host')}, since {since}): wait for it to finish, or set MLPROV_LOCK_WAIT_SECONDS to wait"
    )


def _take(wh: Warehouse, store: str, job: str, owner: str, wait_s: float) -> None:
    me = {"owner": owner, "job": job, "host": socket.gethostname(), "pid": os.getpid()}
    deadline = time.monotonic() + wait_s
    while True:
        now = int(time.time() * 1000)
        holder = wh.write("load/lock_take", store=store, now=now, **me)[0]
        if holder["owner"] == owner:
            return
        if not _alive_here(holder) and wh.write("load/lock_takeover", store=store, dead=holder["owner"], now=now, **me):
            return
        if time.monotonic() >= deadline:
            raise StoreLockedError(_describe(store, holder))
        time.sleep(POLL_S)


@contextmanager
def store_locks(wh: Warehouse, stores: Iterable[str], job: str, wait_s: float | None = None) -> Iterator[None]:
    """Hold the locks of ``stores`` (taken in name order) while the block runs."""
    if wait_s is None:
        wait_s = float(os.environ.get("MLPROV_LOCK_WAIT_SECONDS", "0"))
    owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    held: list[str] = []
    try:
        for store in sorted(set(stores)):
            _take(wh, store, job, owner, wait_s)
            held.append(store)
        yield
    except ServerLostError:
        # the release would wait out the same retries and fail: the next job takes the lock over
        # (its owner, this process, is gone by then)
        raise
    except BaseException:
        with suppress(MlprovError):  # the job's own error is the one to report
            _release(wh, held, owner)
        raise
    _release(wh, held, owner)


def _release(wh: Warehouse, stores: list[str], owner: str) -> None:
    for store in stores:
        wh.write("load/lock_release", store=store, owner=owner)


def lock_scope(wh: Warehouse, store: str | None = None) -> list[str]:
    """The stores a corpus-wide job writes: every loaded store, or only ``store``."""
    return [str(r["name"]) for r in wh.read("load/stores") if store is None or r["name"] == store]
