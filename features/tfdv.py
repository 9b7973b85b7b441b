"""Dataset statistics kept in files: TFDV's ``DatasetFeatureStatisticsList`` under an ExampleStatistics
artifact's URI, read with the tensorflow-metadata protos (no TensorFlow).

Real TFX stores keep the statistics beside the data, not in MLMD: ``<uri>/Split-<split>/FeatureStats.pb``
(one serialised ``DatasetFeatureStatisticsList``; TFX 1.x) or ``<uri>/<split>/stats_tfrecord`` (a TFRecord
file of them; older TFX). The ``train`` split is read when there is one, else the first split by name.
Stores are often read far from where they were written (another machine, Windows paths): an artifact
root ``OLD=NEW`` maps a URI starting with ``OLD`` onto ``NEW`` (backslashes read as ``/``; the first
matching root wins; a relative URI left over is relative to the working directory). The roots given to
``mlprov features --artifact-root`` are kept in ``$MLPROV_HOME/features/artifact-roots.json`` so that
``train``, ``evaluate`` and ``predict`` build the same frame; they are part of the frame's cache key.

Each feature becomes the summary the dataset similarity compares (features/frame.py): a numeric feature
``{"mean": μ, "std": σ}``, a string / bytes (categorical) feature ``{"unique": n}``.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from google.protobuf.message import DecodeError
from tensorflow_metadata.proto.v0 import statistics_pb2

from mlprov.errors import MlprovError
from mlprov.settings import mlprov_home

FEATURE_STATS = "FeatureStats.pb"
STATS_TFRECORD = "stats_tfrecord"
Summary = dict[str, dict[str, float]]


class ArtifactRootError(MlprovError):
    """An --artifact-root value is not OLD=NEW."""

    exit_code = 2


class StatisticsFileError(Exception):
    """A statistics file exists but cannot be read as TFDV statistics."""


def parse_artifact_roots(values: Sequence[str]) -> list[tuple[str, str]]:
    """``OLD=NEW`` values as (old prefix, new prefix), backslashes as ``/``."""
    roots = []
    for v in values:
        old, sep, new = v.partition("=")
        if not sep or not old or not new:
            raise ArtifactRootError(f"--artifact-root {v!r}: expected OLD=NEW (a URI prefix and the folder it is now)")
        roots.append((old.replace("\\", "/"), new.replace("\\", "/")))
    return roots


def local_path(uri: str, roots: Sequence[tuple[str, str]]) -> Path:
    """Where an artifact URI is on this machine: the first matching root's mapping, else the URI itself."""
    u = uri.replace("\\", "/")
    for old, new in roots:
        if u == old or u.startswith(old.rstrip("/") + "/"):
            rest = u[len(old.rstrip("/")) :].lstrip("/")
            return Path(new) / PurePosixPath(rest) if rest else Path(new)
    return Path(u)


def statistics_file(artifact_dir: Path) -> Path | None:
    """The statistics file of an ExampleStatistics artifact folder (train split first), or None."""
    candidates: list[tuple[int, str, Path]] = []
    for name in (FEATURE_STATS, STATS_TFRECORD):
        for f in artifact_dir.glob(f"*/{name}"):
            split = f.parent.name.removeprefix("Split-")
            candidates.append((0 if split == "train" else 1, split, f))
    return min(candidates)[2] if candidates else None


def _tfrecords(data: bytes, path: Path) -> list[bytes]:
    """The records of a TFRecord file (length, length CRC, payload, payload CRC; CRCs not checked)."""
    records, pos = [], 0
    while pos < len(data):
        if pos + 12 > len(data):
            raise StatisticsFileError(f"{path}: truncated TFRecord header at byte {pos}")
        (length,) = struct.unpack_from("<Q", data, pos)
        end = pos + 12 + length + 4
        if end > len(data):
            raise StatisticsFileError(f"{path}: truncated TFRecord of {length} bytes at byte {pos}")
        records.append(data[pos + 12 : pos + 12 + length])
        pos = end
    return records


def read_statistics(path: Path) -> Summary:
    """The per-feature summary of the first dataset in a TFDV statistics file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StatisticsFileError(f"{path}: {exc.strerror or exc}") from None
    payloads = _tfrecords(data, path) if path.name == STATS_TFRECORD else [data]
    out: Summary = {}
    for payload in payloads:
        stats = statistics_pb2.DatasetFeatureStatisticsList()
        try:
            stats.ParseFromString(payload)
        except DecodeError as exc:
            raise StatisticsFileError(f"{path}: not TFDV statistics ({exc})") from None
        if not stats.datasets:
            raise StatisticsFileError(f"{path}: no dataset in the statistics")
        for feature in stats.datasets[0].features:
            name = ".".join(feature.path.step) if feature.HasField("path") else feature.name
            kind = feature.WhichOneof("stats")
            if kind == "num_stats":
                out[name] = {"mean": float(feature.num_stats.mean), "std": float(feature.num_stats.std_dev)}
            elif kind == "string_stats":
                out[name] = {"unique": float(feature.string_stats.unique)}
    return out


@dataclass
class StatisticsReader:
    """Reads the statistics files of ExampleStatistics artifacts, remembering what it could not read."""

    roots: Sequence[tuple[str, str]] = ()
    read: int = 0
    absent: list[str] = field(default_factory=list)  # URIs whose folder is not there
    unreadable: list[str] = field(default_factory=list)  # messages naming each corrupt or missing file

    def summary(self, uri: str | None) -> Summary | None:
        """The artifact's per-feature summary, or None (no URI, nothing there, or a corrupt file)."""
        if not uri:
            return None
        folder = local_path(uri, self.roots)
        if not folder.is_dir():
            self.absent.append(uri)
            return None
        path = statistics_file(folder)
        if path is None:
            self.unreadable.append(f"{folder}: no */{FEATURE_STATS} or */{STATS_TFRECORD} in it")
            return None
        try:
            result = read_statistics(path)
        except StatisticsFileError as exc:
            self.unreadable.append(str(exc))
            return None
        self.read += 1
        return result


def roots_file() -> Path:
    return mlprov_home() / "features" / "artifact-roots.json"


def stored_roots() -> list[tuple[str, str]]:
    """The artifact roots last given to ``mlprov features`` (every later frame uses them); none by default."""
    try:
        data = json.loads(roots_file().read_text())
    except (OSError, ValueError):
        return []
    return [(str(old), str(new)) for old, new in data] if isinstance(data, list) else []


def store_roots(roots: Sequence[tuple[str, str]]) -> None:
    path = roots_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([list(r) for r in roots]) + "\n")
