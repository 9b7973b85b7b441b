"""``generate``: write a synthetic corpus of MLMD stores, the latent push file and a manifest."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mlprov.generator.mechanism import MECHANISM, LatentRow, Mechanism, PipelineSpec, plan_corpus, simulate_included
from mlprov.generator.mlmd_writer import StoreWriter
from mlprov.generator.presets import get_preset

LATENT_FILE = "latent.csv"
MANIFEST_FILE = "manifest.json"
STORES_DIR = "stores"
LATENT_COLUMNS = (
    "store",
    "execution_id",
    "pipeline",
    "archetype",
    "trainer_node",
    "state",
    "push_probability",
    "pushed",
)
GENERATOR_VERSION = "1"
_TABLES = (
    "Type",
    "Context",
    "ParentContext",
    "Execution",
    "ExecutionProperty",
    "Artifact",
    "ArtifactProperty",
    "Event",
    "EventPath",
    "Association",
    "Attribution",
)


@dataclass
class GenerationManifest:
    """What `generate` wrote. Saved as ``manifest.json`` beside the stores."""

    preset: str
    seed: int
    pipelines: int
    shards: int
    stores: list[str]
    graphlets: int
    pushed: int
    counts: dict[str, int]
    counts_per_store: dict[str, dict[str, int]]
    bytes: int
    fingerprint: str
    generation_seconds: float
    generator_version: str = GENERATOR_VERSION
    schema_version: int = 10
    latent_file: str = LATENT_FILE
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def load(cls, out_dir: Path) -> GenerationManifest:
        data = json.loads((Path(out_dir) / MANIFEST_FILE).read_text())
        return cls(**data)


def store_paths(out_dir: Path) -> list[Path]:
    """The MLMD store files of a generated corpus, in name order."""
    return sorted((Path(out_dir) / STORES_DIR).glob("*.sqlite"))


def fingerprint(paths: list[Path]) -> str:
    """sha256 over the store files (names and bytes, in name order)."""
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda x: x.name):
        h.update(p.name.encode() + b"\0")
        with p.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def generate(
    out_dir: Path,
    preset: str,
    *,
    pipelines: int | None = None,
    seed: int = 0,
    shards: int = 1,
    progress: Callable[[int, int], None] | None = None,
    mechanism: Mechanism = MECHANISM,
    workers: int | None = None,
) -> GenerationManifest:
    """Generate a corpus into ``out_dir``: ``stores/mlmd-XXX.sqlite`` (``shards`` MLMD stores, schema
    version 10, pipelines assigned round-robin), ``latent.csv`` and ``manifest.json``.

    The same (preset, pipelines, seed, shards) always gives byte-identical stores. ``progress`` is
    called with (pipelines done, pipelines total). ``mechanism`` replaces the calibrated parameters
    (the ablation benchmark switches mechanisms off this way). Shards are written by ``workers``
    processes at once (default: one per core); each shard's pipelines and random draws do not depend
    on the others, so the output is the same for any number of workers.
    """
    t0 = time.perf_counter()
    spec = get_preset(preset)
    n = spec.pipelines if pipelines is None else int(pipelines)
    if n < 1:
        raise ValueError("pipelines must be at least 1")
    if shards < 1:
        raise ValueError("shards must be at least 1")
    shards = min(shards, n)
    out_dir = Path(out_dir)
    store_dir = out_dir / STORES_DIR
    store_dir.mkdir(parents=True, exist_ok=True)
    for old in store_dir.glob("*.sqlite*"):
        old.unlink()
    plans = plan_corpus(spec, n, seed, mechanism)
    names = [f"mlmd-{k:03d}.sqlite" for k in range(shards)]
    latent: list[LatentRow] = []
    counts_per_store: dict[str, dict[str, int]] = {}
    jobs = [(store_dir / name, plans[k::shards], seed, mechanism) for k, name in enumerate(names)]
    processes = max(1, min(shards, workers if workers is not None else (os.cpu_count() or 1)))
    if processes == 1:
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, n)

        results = [_write_shard(*job, on_pipeline=step) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            futures = [pool.submit(_write_shard, *job) for job in jobs]
            results = []
            for future in futures:  # in shard order: the same latent.csv for any number of workers
                results.append(future.result())
                if progress is not None:
                    progress(sum(len(j[1]) for j in jobs[: len(results)]), n)
    redrawn: list[int] = []
    for name, (rows, counts, draws) in zip(names, results, strict=True):
        latent.extend(rows)
        counts_per_store[name] = counts
        redrawn.extend(draws)
    _write_latent(out_dir / LATENT_FILE, latent)
    paths = [store_dir / name for name in names]
    totals = {t: sum(c[t] for c in counts_per_store.values()) for t in _TABLES}
    manifest = GenerationManifest(
        preset=preset,
        seed=seed,
        pipelines=n,
        shards=shards,
        stores=[f"{STORES_DIR}/{x}" for x in names],
        graphlets=len(latent),
        pushed=sum(r.pushed for r in latent),
        counts=totals,
        counts_per_store=counts_per_store,
        bytes=sum(p.stat().st_size for p in paths),
        fingerprint=fingerprint(paths),
        generation_seconds=round(time.perf_counter() - t0, 3),
        extra={
            "archetypes": _count([p.archetype for p in plans]),
            "cadences": _count([p.cadence.name for p in plans]),
            # the study's corpus filter: slots whose first draw never pushed, and the draws they took
            "redrawn_pipelines": sum(1 for k in redrawn if k > 0),
            "redraws": sum(redrawn),
        },
    )
    (out_dir / MANIFEST_FILE).write_text(manifest.to_json() + "\n")
    return manifest


def _write_shard(
    path: Path,
    plans: list[PipelineSpec],
    seed: int,
    mechanism: Mechanism,
    on_pipeline: Callable[[], None] | None = None,
) -> tuple[list[LatentRow], dict[str, int], list[int]]:
    """Write one MLMD store holding ``plans`` (each under the study's corpus filter,
    :func:`~mlprov.generator.mechanism.simulate_included`); returns its latent rows, table counts and
    each slot's number of re-draws."""
    writer = StoreWriter(path)
    rows: list[LatentRow] = []
    draws: list[int] = []
    for plan in plans:
        kept, latent = simulate_included(plan, writer, path.name, seed, mechanism)
        rows.extend(latent)
        draws.append(kept.draw)
        writer.maybe_flush()
        if on_pipeline is not None:
            on_pipeline()
    writer.close()
    return rows, table_counts(path), draws


def _count(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: int(conn.execute(f"SELECT COUNT(*) FROM `{t}`").fetchone()[0]) for t in _TABLES}  # noqa: S608
    finally:
        conn.close()


def _write_latent(path: Path, rows: list[LatentRow]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(LATENT_COLUMNS)
        for r in rows:
            w.writerow(
                [
                    r.store,
                    r.execution_id,
                    r.pipeline,
                    r.archetype,
                    r.trainer_node,
                    r.state,
                    f"{r.push_probability:.6f}",
                    r.pushed,
                ]
            )
