"""``generate``: write a synthetic corpus of MLMD stores, the latent push file and a manifest."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mlprov.generator.mechanism import MECHANISM, LatentRow, Mechanism, PipelineSimulator, plan_corpus
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
) -> GenerationManifest:
    """Generate a corpus into ``out_dir``: ``stores/mlmd-XXX.sqlite`` (``shards`` MLMD stores, schema
    version 10, pipelines assigned round-robin), ``latent.csv`` and ``manifest.json``.

    The same (preset, pipelines, seed, shards) always gives byte-identical stores. ``progress`` is
    called with (pipelines done, pipelines total). ``mechanism`` replaces the calibrated parameters
    (the ablation benchmark switches mechanisms off this way).
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
    done = 0
    for k, name in enumerate(names):
        writer = StoreWriter(store_dir / name)
        for plan in plans[k::shards]:
            latent.extend(PipelineSimulator(plan, writer, name, seed, mechanism).run())
            done += 1
            if progress is not None:
                progress(done, n)
        writer.close()
        counts_per_store[name] = table_counts(store_dir / name)
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
        extra={"archetypes": _count([p.archetype for p in plans]), "cadences": _count([p.cadence.name for p in plans])},
    )
    (out_dir / MANIFEST_FILE).write_text(manifest.to_json() + "\n")
    return manifest


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
