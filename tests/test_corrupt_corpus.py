"""A bad-input corpus: every fixture corrupted in several ways. Each case either loads correctly or
fails with one clear MlprovError naming the file — never another exception, never a partial store."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from mlprov.db import Warehouse
from mlprov.errors import MlprovError
from mlprov.loader.load import Loader, check_source
from tests.conftest import FIXTURES
from tests.graphs import store_graph
from tests.test_loader import graph_counts, sql_counts

STORES = sorted(p.name for p in FIXTURES.glob("*.sqlite") if p.name != "empty_v10.sqlite")


def _sql(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def truncate_random(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(100, len(data) - 1)])


def scribble_pages(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    for _ in range(8):
        at = rng.randrange(4096, len(data) - 512)
        data[at : at + 512] = rng.randbytes(512)
    path.write_bytes(bytes(data))


def nulls(path: Path, rng: random.Random) -> None:
    _sql(
        path,
        "UPDATE Event SET milliseconds_since_epoch = NULL",
        "UPDATE Execution SET name = NULL, last_known_state = NULL",
        "UPDATE Artifact SET uri = NULL, state = NULL",
    )


def huge_and_unicode(path: Path, rng: random.Random) -> None:
    _sql(
        path,
        "UPDATE ArtifactProperty SET string_value = hex(randomblob(1000000)) WHERE rowid = "
        "(SELECT MIN(rowid) FROM ArtifactProperty WHERE string_value IS NOT NULL)",
        "UPDATE Artifact SET uri = 'C:\\Users\\dö\\pipeline\\☃\\' || id",
        "UPDATE Context SET name = name || ' — ✓ 日本'",
    )


def parent_cycle(path: Path, rng: random.Random) -> None:
    db = sqlite3.connect(path)
    if "ParentContext" in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}:
        ids = [r[0] for r in db.execute("SELECT id FROM Context ORDER BY id LIMIT 2")]
        if len(ids) == 2:
            db.execute("INSERT OR IGNORE INTO ParentContext VALUES (?, ?)", (ids[0], ids[1]))
            db.execute("INSERT OR IGNORE INTO ParentContext VALUES (?, ?)", (ids[1], ids[0]))
    db.commit()
    db.close()


def dangling_types(path: Path, rng: random.Random) -> None:
    _sql(path, "UPDATE Execution SET type_id = 99999 WHERE id = (SELECT MIN(id) FROM Execution)")


def drop_table(path: Path, rng: random.Random) -> None:
    _sql(path, f"DROP TABLE {rng.choice(['Association', 'Attribution', 'EventPath', 'ContextProperty'])}")


CORRUPTIONS: dict[str, Callable[[Path, random.Random], None]] = {
    "truncate": truncate_random,
    "scribble": scribble_pages,
    "nulls": nulls,
    "huge-unicode": huge_and_unicode,
    "parent-cycle": parent_cycle,
    "dangling-type": dangling_types,
    "drop-table": drop_table,
}
# corruptions after which the store is still a valid MLMD store and must load exactly
MUST_LOAD = {"nulls", "huge-unicode", "parent-cycle", "dangling-type"}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_every_fixture_corrupted_loads_or_fails_cleanly(warehouse: Warehouse, tmp_path: Path, corruption: str) -> None:
    rng = random.Random(f"{corruption}-20261123")
    loader = Loader(warehouse)
    assert STORES, f"no fixture stores in {FIXTURES}"  # an empty loop would pass
    for name in STORES:
        path = tmp_path / name
        shutil.copyfile(FIXTURES / name, path)
        CORRUPTIONS[corruption](path, rng)
        store = f"{corruption}-{name}"
        try:
            check_source(str(path))
            loader.load(str(path), store=store)
        except MlprovError as exc:
            message = str(exc)
            assert corruption not in MUST_LOAD, f"{name}: {message}"
            assert str(path) in message and "\n" not in message
            assert store_graph(warehouse, store) == (set(), set())
            assert not warehouse.read("load/store_get", name=store)
            continue
        expected = sql_counts(path)
        assert graph_counts(warehouse, store) == {k: v for k, v in expected.items() if k != "dangling_events"}
