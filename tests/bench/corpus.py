"""The benchmark corpus: one large MLMD SQLite store made by replicating a real fixture store.

The fixture ``redwine_pushers_v10.sqlite`` (a real TFX LocalDagRunner store, schema v10) is copied
``copies`` times into one file. Copy ``k`` gets every id shifted by ``k`` times the table's largest
id (so references stay consistent), names and external ids suffixed with ``#k`` (MLMD keeps
``UNIQUE(type_id, name)``) and its timestamps shifted by ``k`` times the fixture's time span, so
the corpus looks like a long history of the same pipelines. ``Type`` (and ``TypeProperty``,
``ParentType``, ``MLMDEnv``) stay as they are. The result is deterministic and cached under
``/tmp/mlprov_bench`` keyed by the copy count and the fixture's content hash.

Any other MLMD SQLite store (e.g. the ``bench`` preset of ``mlprov generate``) can stand in for the
replicated corpus as it is (``of_store``); ``prefix_sample`` cuts a small sample from such a store:
the store as it was when its first nodes (by creation time) had been written.

Run ``python -m tests.bench.corpus [--elements N]`` to build it and check it with ``ml-metadata``.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(os.environ.get("MLPROV_FIXTURES", Path(__file__).resolve().parents[3] / "shared/fixtures/mlmd"))
FIXTURE = "redwine_pushers_v10.sqlite"
CACHE = Path(os.environ.get("MLPROV_BENCH_CACHE", "/tmp/mlprov_bench"))
CORPUS_VERSION = 2  # bump when the replication rules change, so cached files are rebuilt

NODE_TABLES = ("Artifact", "Execution", "Context")
# table -> (id column or None, {column: table whose id offset applies})
ID_COLUMNS: dict[str, tuple[str | None, dict[str, str]]] = {
    "Artifact": ("id", {}),
    "Execution": ("id", {}),
    "Context": ("id", {}),
    "ArtifactProperty": (None, {"artifact_id": "Artifact"}),
    "ExecutionProperty": (None, {"execution_id": "Execution"}),
    "ContextProperty": (None, {"context_id": "Context"}),
    "Event": ("id", {"artifact_id": "Artifact", "execution_id": "Execution"}),
    "EventPath": (None, {"event_id": "Event"}),
    "Association": ("id", {"context_id": "Context", "execution_id": "Execution"}),
    "Attribution": ("id", {"context_id": "Context", "artifact_id": "Artifact"}),
    "ParentContext": (None, {"context_id": "Context", "parent_context_id": "Context"}),
}
TIME_COLUMNS = ("create_time_since_epoch", "last_update_time_since_epoch", "milliseconds_since_epoch")
SUFFIXED_COLUMNS = ("name", "external_id")


@dataclass(frozen=True)
class Corpus:
    """A built corpus file (or a store taken as it is) and what it holds."""

    path: Path
    label: str  # what the report calls it
    key: str  # names the files derived from it in the cache (changed copy, sample)
    copies: int  # copies of the fixture; 0 for a store taken as it is
    nodes: int
    relationships: int
    executions: int

    @property
    def elements(self) -> int:
        return self.nodes + self.relationships


def fixture_path() -> Path:
    return FIXTURES / FIXTURE


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def count_elements(path: Path) -> tuple[int, int, int]:
    """(nodes, relationships, executions) the loader writes for a store, computed with SQL."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:

        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0] or 0)

        nodes = sum(one(f"SELECT COUNT(*) FROM `{t}`") for t in NODE_TABLES)  # noqa: S608
        rels = one(
            "SELECT COUNT(*) FROM Event e JOIN Artifact a ON a.id = e.artifact_id "
            "JOIN Execution x ON x.id = e.execution_id"
        )
        rels += one(
            "SELECT COUNT(*) FROM Association s JOIN Execution n ON n.id = s.execution_id "
            "JOIN Context c ON c.id = s.context_id"
        )
        rels += one(
            "SELECT COUNT(*) FROM Attribution s JOIN Artifact n ON n.id = s.artifact_id "
            "JOIN Context c ON c.id = s.context_id"
        )
        rels += one(
            "SELECT COUNT(*) FROM ParentContext p JOIN Context c ON c.id = p.context_id "
            "JOIN Context q ON q.id = p.parent_context_id"
        )
        return nodes, rels, one("SELECT COUNT(*) FROM Execution")
    finally:
        conn.close()


def copies_for(elements: int) -> int:
    """How many copies of the fixture give at least ``elements`` graph elements."""
    nodes, rels, _ = count_elements(fixture_path())
    return max(1, math.ceil(elements / (nodes + rels)))


def _replicate(src: Path, dst: Path, copies: int) -> None:
    tmp = dst.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True) as source, sqlite3.connect(tmp) as target:
        source.backup(target)  # copy 0: the fixture itself, with schema, indexes and MLMDEnv
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -200000")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        offsets = {
            t: int(conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM `{t}`").fetchone()[0])  # noqa: S608
            for t, (id_col, _) in ID_COLUMNS.items()
            if id_col
        }
        spans = [
            conn.execute(
                f"SELECT MIN(create_time_since_epoch), MAX(last_update_time_since_epoch) FROM `{t}`"  # noqa: S608
            ).fetchone()
            for t in NODE_TABLES
        ]
        lo = min(int(s[0]) for s in spans if s[0] is not None)
        hi = max(int(s[1]) for s in spans if s[1] is not None)
        shift = hi - lo + 60_000  # one minute between the end of copy k and the start of copy k+1
        conn.execute("CREATE TEMP TABLE k (n INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO k VALUES (?)", [(n,) for n in range(1, copies)])
        for table, (id_col, refs) in ID_COLUMNS.items():
            if table not in tables:
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info(`{table}`)")]
            exprs = []
            for col in columns:
                if col == id_col:
                    exprs.append(f"t.`{col}` + k.n * {offsets[table]}")
                elif col in refs:
                    exprs.append(f"t.`{col}` + k.n * {offsets[refs[col]]}")
                elif col in TIME_COLUMNS:
                    exprs.append(f"t.`{col}` + k.n * {shift}")
                elif col in SUFFIXED_COLUMNS and table in NODE_TABLES:
                    exprs.append(f"t.`{col}` || '#' || k.n")
                else:
                    exprs.append(f"t.`{col}`")
            order = f"k.n, t.`{id_col}`" if id_col else "k.n, t.rowid"
            col_list = ", ".join(f"`{c}`" for c in columns)
            conn.execute(
                f"INSERT INTO `{table}` ({col_list}) SELECT {', '.join(exprs)} "  # noqa: S608
                f"FROM main.`{table}` AS t CROSS JOIN k ORDER BY {order}"
            )
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
    tmp.replace(dst)


def build(elements: int = 1_000_000, *, copies: int | None = None, cache: Path = CACHE) -> Corpus:
    """The corpus with at least ``elements`` graph elements (or exactly ``copies`` copies), cached."""
    src = fixture_path()
    n = copies or copies_for(elements)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"corpus_v{CORPUS_VERSION}_{_digest(src)}_x{n}.sqlite"
    if not path.exists():
        _replicate(src, path, n)
    nodes, rels, executions = count_elements(path)
    return Corpus(
        path=path,
        label=f"{n} x {Path(FIXTURE).stem}",
        key=path.stem,
        copies=n,
        nodes=nodes,
        relationships=rels,
        executions=executions,
    )


def _identity(path: Path) -> str:
    """A short key for a store file as it is now: its path, size and modification time."""
    st = path.stat()
    return hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()[:12]


def of_store(path: Path, label: str | None = None) -> Corpus:
    """Any MLMD SQLite store taken as it is, its graph elements counted like a built corpus's."""
    path = path.resolve()
    nodes, rels, executions = count_elements(path)
    return Corpus(
        path=path,
        label=label or str(path),
        key=f"{path.stem}_{_identity(path)}",
        copies=0,
        nodes=nodes,
        relationships=rels,
        executions=executions,
    )


def _nth_creation_time(conn: sqlite3.Connection, n: int) -> int:
    """The creation time of the ``n``-th node (1-based) of the store, all node tables together."""
    union = " UNION ALL ".join(f"SELECT create_time_since_epoch AS t FROM `{t}`" for t in NODE_TABLES)  # noqa: S608
    row = conn.execute(f"SELECT t FROM ({union}) ORDER BY t LIMIT 1 OFFSET ?", (n - 1,)).fetchone()  # noqa: S608
    return int(row[0])


def _slice(src: Path, dst: Path, cutoff: int) -> None:
    """Write to ``dst`` (a new file) the store ``src`` as it was at ``cutoff``.

    Same schema; the nodes created at or before ``cutoff``, the properties, events, event paths and
    links whose ends are all kept, and every other table (types, ``MLMDEnv``) whole.
    """
    dst.unlink(missing_ok=True)
    conn = sqlite3.connect(dst.resolve().as_uri(), uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (f"{src.resolve().as_uri()}?mode=ro",))
        ddl = conn.execute(
            "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite%'"
        ).fetchall()
        order = list(ID_COLUMNS)
        tables = sorted(
            (name for kind, name, _ in ddl if kind == "table"),
            key=lambda t: order.index(t) if t in order else len(order),
        )
        for kind, _, sql in ddl:
            if kind == "table":
                conn.execute(sql)
        for table in tables:
            select = f"INSERT INTO main.`{table}` SELECT * FROM src.`{table}`"  # noqa: S608
            if table in NODE_TABLES:
                conn.execute(f"{select} WHERE create_time_since_epoch <= ?", (cutoff,))
            elif table in ID_COLUMNS:
                refs = ID_COLUMNS[table][1]
                kept = " AND ".join(
                    f"`{col}` IN (SELECT id FROM main.`{ref}`)"  # noqa: S608
                    for col, ref in refs.items()
                )
                conn.execute(f"{select} WHERE {kept}")
            else:
                conn.execute(select)
        conn.commit()
        for kind, _, sql in ddl:
            if kind != "table":
                conn.execute(sql)
        conn.commit()
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()


def prefix_sample(corpus: Corpus, elements: int, cache: Path = CACHE) -> Corpus:
    """A sample of ``corpus`` with at least ``elements`` graph elements: the store as it was back then.

    Keeps the first nodes by creation time (the cutoff grows until the sample has enough elements)
    and the rows about them (``_slice``), so the sample is the same kind of data as the store: same
    types, property shapes and writer, only less of its history. The whole store when it is smaller.
    Cached under the store's key and ``elements``.
    """
    if corpus.elements <= elements:
        return corpus
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{corpus.key}_first{elements}.sqlite"
    if not path.exists():
        building = path.with_suffix(".building")
        conn = sqlite3.connect(f"{corpus.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            wanted = math.ceil(elements * corpus.nodes / corpus.elements)  # nodes, at the store's mix
            while True:
                _slice(corpus.path, building, _nth_creation_time(conn, wanted))
                nodes, rels, _ = count_elements(building)
                if nodes + rels >= elements or wanted >= corpus.nodes:
                    break
                wanted = min(corpus.nodes, max(wanted + 1, math.ceil(wanted * elements / max(1, nodes + rels))))
        finally:
            conn.close()
        building.replace(path)
    nodes, rels, executions = count_elements(path)
    return Corpus(
        path=path,
        label=f"the first {nodes:,} nodes by creation time of {corpus.label} (and the rows about them)",
        key=path.stem,
        copies=0,
        nodes=nodes,
        relationships=rels,
        executions=executions,
    )


def changed_copy(corpus: Corpus, share: float = 0.01, cache: Path = CACHE) -> tuple[Path, int]:
    """A copy of the corpus where ``share`` of the executions were updated after the load.

    Every ``round(1/share)``-th execution gets a newer ``last_update_time_since_epoch`` and a new value
    of a custom property (``bench_revision``), as a pipeline re-publishing a run would. Returns the
    path and the number of touched executions.
    """
    step = max(1, round(1 / share))
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{corpus.key}_changed{step}.sqlite"
    conn_path = path.with_suffix(".building")
    if not path.exists():
        shutil.copyfile(corpus.path, conn_path)
        conn = sqlite3.connect(conn_path)
        try:
            top = int(conn.execute("SELECT MAX(last_update_time_since_epoch) FROM Execution").fetchone()[0])
            ids = [int(r[0]) for r in conn.execute("SELECT id FROM Execution WHERE id % ? = 0 ORDER BY id", (step,))]
            conn.executemany(
                "UPDATE Execution SET last_update_time_since_epoch = ? WHERE id = ?",
                [(top + 1000 + i, x) for i, x in enumerate(ids)],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO ExecutionProperty (execution_id, name, is_custom_property, int_value) "
                "VALUES (?, 'bench_revision', 1, 2)",
                [(x,) for x in ids],
            )
            conn.commit()
        finally:
            conn.close()
        conn_path.replace(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        touched = int(
            conn.execute("SELECT COUNT(*) FROM ExecutionProperty WHERE name = 'bench_revision'").fetchone()[0]
        )
    finally:
        conn.close()
    return path, touched


def verify_with_ml_metadata(path: Path) -> int:
    """Open the store with the official ``ml-metadata`` package; returns its execution count.

    Works on a scratch copy: ml-metadata opens stores read-write.
    """
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    scratch = path.with_name(path.stem + ".mlmdcheck.sqlite")
    shutil.copyfile(path, scratch)
    try:
        config = metadata_store_pb2.ConnectionConfig()  # type: ignore[attr-defined]
        config.sqlite.filename_uri = str(scratch)
        config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READONLY  # type: ignore[attr-defined]
        store = metadata_store.MetadataStore(config)
        return len(store.get_executions())
    finally:
        scratch.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elements", type=int, default=1_000_000, help="graph elements at least (default 1M)")
    parser.add_argument("--no-verify", action="store_true", help="skip the ml-metadata check")
    args = parser.parse_args()
    started = time.perf_counter()
    corpus = build(args.elements)
    print(
        f"{corpus.path}: {corpus.copies} copies, {corpus.nodes:,} nodes + {corpus.relationships:,} relationships "
        f"= {corpus.elements:,} elements ({time.perf_counter() - started:.1f}s, {corpus.path.stat().st_size >> 20} MiB)"
    )
    if not args.no_verify:
        n = verify_with_ml_metadata(corpus.path)
        print(f"ml-metadata opens it: get_executions() -> {n:,} (SQL count {corpus.executions:,})")


if __name__ == "__main__":
    main()
