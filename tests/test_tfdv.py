"""Dataset similarity from real TFDV statistics files: the redwine fixture store (Windows-relative URIs)
is loaded, the statistics files its ExampleStatistics artifacts point at are written with the
tensorflow-metadata protos (both TFX layouts: Split-train/FeatureStats.pb and train/stats_tfrecord) under
a temporary folder, and `mlprov features --artifact-root` remaps the URIs onto it. The expected
similarity is recomputed here from the numbers written, with its own formula."""

from __future__ import annotations

import math
import sqlite3
import struct
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pytest
from tensorflow_metadata.proto.v0 import statistics_pb2

from mlprov.db import Warehouse
from mlprov.features.frame import build_frame, history, span_similarity
from mlprov.features.tfdv import (
    ArtifactRootError,
    StatisticsReader,
    local_path,
    parse_artifact_roots,
    read_statistics,
)
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from tests.conftest import FIXTURES, run_cli

STORE = "redwine_pushers_v10"
ROOT = "pipelines\\red-wine-pipeline"


def stats_proto(mean: float, std: float, unique: int) -> bytes:
    """A DatasetFeatureStatisticsList: numeric feature `alcohol` (mean, std) and categorical `colour`."""
    lst = statistics_pb2.DatasetFeatureStatisticsList()
    ds = lst.datasets.add()
    ds.name = "train"
    f = ds.features.add()
    f.path.step.append("alcohol")
    f.type = statistics_pb2.FeatureNameStatistics.FLOAT
    f.num_stats.mean = mean
    f.num_stats.std_dev = std
    c = ds.features.add()
    c.name = "colour"
    c.type = statistics_pb2.FeatureNameStatistics.STRING
    c.string_stats.unique = unique
    return lst.SerializeToString()


def tfrecord(payload: bytes) -> bytes:
    return struct.pack("<Q", len(payload)) + b"\0" * 4 + payload + b"\0" * 4


def expected_similarity(a: tuple[float, float, int], b: tuple[float, float, int]) -> float:
    """Mean over the two features: Bhattacharyya coefficient of the two normals, and smaller/larger unique."""
    (m1, s1, u1), (m2, s2, u2) = a, b
    bc = math.sqrt(2 * s1 * s2 / (s1**2 + s2**2)) * math.exp(-((m1 - m2) ** 2) / (4 * (s1**2 + s2**2)))
    return (bc + min(u1, u2) / max(u1, u2)) / 2


@pytest.fixture
def redwine(warehouse: Warehouse, tmp_path: Path) -> tuple[Warehouse, Path]:
    path = tmp_path / f"{STORE}.sqlite"
    path.write_bytes((FIXTURES / f"{STORE}.sqlite").read_bytes())
    Loader(warehouse).load(str(path))
    build_graphlets(warehouse)
    return warehouse, path


def statistics_artifacts(path: Path) -> pd.DataFrame:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return pd.read_sql_query(
            "SELECT a.id, a.uri FROM Artifact a JOIN Type t ON t.id = a.type_id WHERE t.name = 'ExampleStatistics' "
            "ORDER BY a.id",
            conn,
        )
    finally:
        conn.close()


def test_features_reads_tfdv_files_under_remapped_uris(redwine: tuple[Warehouse, Path], tmp_path: Path) -> None:
    wh, path = redwine
    # without the files every dataset similarity is missing, as before
    before = build_frame(wh, use_cache=False).data
    assert before["dataset_similarity_1"].isna().all()

    root = tmp_path / "artifacts"
    arts = statistics_artifacts(path)
    # the statistics the history pairs ask for (StatisticsGen outputs, by the span their Examples carry):
    # two of them get a corrupt file and a folder without one
    graphlets = [str(u) for u in before["uid"]]
    paired = sorted({u for h in history(wh, graphlets, 3) for p in h["pairs"] for u in p if u})
    assert len(paired) >= 6
    broken = {paired[1]: "corrupt", paired[2]: "missing"}
    values: dict[str, tuple[float, float, int]] = {}
    corrupt = missing = None
    for i, (aid, uri) in enumerate(arts.itertuples(index=False)):
        folder = root / PurePosixPath(uri.replace("\\", "/")).relative_to(ROOT.replace("\\", "/"))
        uid = f"{STORE}:a:{aid}"
        values[uid] = (5.0 + 0.5 * (i % 4), 1.0 + 0.25 * (i % 3), 2 + i % 5)
        if broken.get(uid) == "corrupt":
            corrupt = folder / "Split-train" / "FeatureStats.pb"
            corrupt.parent.mkdir(parents=True)
            corrupt.write_bytes(b"\xff\xff not a protobuf")
            del values[uid]
        elif broken.get(uid) == "missing":
            missing = folder
            (folder / "Split-train").mkdir(parents=True)  # the folder is there, its statistics file is not
            del values[uid]
        elif i % 2:
            (folder / "train").mkdir(parents=True)
            (folder / "train" / "stats_tfrecord").write_bytes(tfrecord(stats_proto(*values[uid])))
            (folder / "eval").mkdir()  # another split, never read
            (folder / "eval" / "stats_tfrecord").write_bytes(tfrecord(stats_proto(99.0, 1.0, 1)))
        else:
            (folder / "Split-train").mkdir(parents=True)
            (folder / "Split-train" / "FeatureStats.pb").write_bytes(stats_proto(*values[uid]))
    assert corrupt is not None and missing is not None

    proc = run_cli("features", "--no-cache", "--artifact-root", f"{ROOT}={root}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if "warning:" in ln]
    assert any(str(corrupt) in ln and "not TFDV statistics" in ln for ln in warnings), proc.stderr
    assert any(str(missing) in ln and "FeatureStats.pb" in ln for ln in warnings), proc.stderr
    assert f"TFDV statistics files read: {len(set(paired) - set(broken))}" in proc.stderr

    # the roots are kept: the same frame (from the cache) for every later command
    frame = build_frame(wh).data.set_index("uid")
    links = history(wh, list(frame.index), 1)
    checked = 0
    for h in links:
        expected = [expected_similarity(values[a], values[b]) for a, b in h["pairs"] if a in values and b in values]
        got = frame.loc[h["uid"], "dataset_similarity_1"]
        if expected:
            assert math.isclose(got, float(np.mean(expected)), rel_tol=1e-12), h["uid"]
            checked += 1
        else:
            assert math.isnan(got), h["uid"]
    assert checked >= 10
    # on the :NEXT links too (what the report reads)
    links = {r["uid"]: r["dataset_similarity"] for r in wh.read("analytics/consecutive", store=None)}
    for uid, v in links.items():
        want = frame.loc[uid, "dataset_similarity_1"]
        assert (v is None and math.isnan(want)) or math.isclose(v, want, rel_tol=1e-12), uid

    # forgetting the roots brings the missing values back
    proc = run_cli("features", "--artifact-root", "")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert build_frame(wh).data["dataset_similarity_1"].isna().all()


def test_statistics_reading_and_roots(tmp_path: Path) -> None:
    # remapping: Windows backslashes, prefix on a path boundary only, first matching root wins
    roots = parse_artifact_roots(["C:\\drug\\output=/data/drug", "C:\\drug=/elsewhere"])
    assert local_path("C:\\drug\\output\\StatisticsGen\\statistics\\3", roots) == Path(
        "/data/drug/StatisticsGen/statistics/3"
    )
    assert local_path("C:\\drug\\outputs\\x", roots) == Path("/elsewhere/outputs/x")
    assert local_path("/abs/uri", roots) == Path("/abs/uri")
    for bad in ("no-equals", "=new", "old="):
        with pytest.raises(ArtifactRootError, match="OLD=NEW"):
            parse_artifact_roots([bad])
    # both layouts give the same summary; the train split is preferred over others
    a = tmp_path / "a" / "Split-train"
    a.mkdir(parents=True)
    (a / "FeatureStats.pb").write_bytes(stats_proto(1.5, 0.5, 3))
    (tmp_path / "a" / "Split-eval").mkdir()
    (tmp_path / "a" / "Split-eval" / "FeatureStats.pb").write_bytes(stats_proto(9.0, 9.0, 9))
    b = tmp_path / "b" / "train"
    b.mkdir(parents=True)
    (b / "stats_tfrecord").write_bytes(tfrecord(stats_proto(1.5, 0.5, 3)))
    want = {"alcohol": {"mean": 1.5, "std": 0.5}, "colour": {"unique": 3.0}}
    assert read_statistics(a / "FeatureStats.pb") == read_statistics(b / "stats_tfrecord") == want
    reader = StatisticsReader()
    assert reader.summary(str(tmp_path / "a")) == want and reader.read == 1
    assert span_similarity(want, want) == 1.0
    # a categorical feature that became numeric scores 0; the other feature still counts
    changed = {"alcohol": {"mean": 1.5, "std": 0.5}, "colour": {"mean": 0.0, "std": 1.0}}
    assert span_similarity(want, changed) == 0.5
    # a truncated TFRecord and a missing folder: no exception, remembered with the file's name
    (b / "stats_tfrecord").write_bytes(tfrecord(stats_proto(1.5, 0.5, 3))[:-9])
    assert reader.summary(str(tmp_path / "b")) is None
    assert reader.unreadable == [
        f"{b / 'stats_tfrecord'}: truncated TFRecord of {len(stats_proto(1.5, 0.5, 3))} bytes at byte 0"
    ]
    assert reader.summary(str(tmp_path / "nowhere")) is None and reader.absent == [str(tmp_path / "nowhere")]
