"""The reference point: ``neo4j-admin database import full`` of the same graph from CSV files.

``write_csv`` shapes the store with the loader's own reader (same uids, labels, properties and
types) into one node file per label (``Execution``, ``Artifact``, ``Context`` with the extra
``Pipeline``/``Run`` labels in a ``:LABEL`` column) and one relationship file per type (``INPUT``,
``OUTPUT``, ``IN_CONTEXT``, ``CHILD_OF``). Strings are always quoted so an empty string stays an
empty string and a missing value (unquoted empty field) stays missing. ``run_import`` runs the
import tool from the managed server's jars into a fresh server home of its own, with the product's
constraints and indexes passed as ``--schema`` so the imported database is as queryable as a loaded
one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from mlprov.loader.mlmd import MlmdReader, Row, Watermark
from mlprov.loader.operators import OperatorMap
from mlprov.loader.source import open_source

from mlprov.queries import query
from mlprov.server import jar_dir

ARRAY_DELIMITER = ";"
EVENT_COLUMNS = ("uid", "mlmd_id", "event_type", "time", "path")
EVENT_HEADER = ":START_ID,:END_ID,uid,mlmd_id:long,event_type,time:long,path:string[]"


@dataclass
class CsvReport:
    """What was written: files per label/type, element counts and time."""

    directory: Path
    nodes: dict[str, Path] = field(default_factory=dict)
    relationships: dict[str, Path] = field(default_factory=dict)
    node_count: int = 0
    relationship_count: int = 0
    seconds: float = 0.0
    multiline: bool = False
    coerced: dict[str, str] = field(default_factory=dict)  # property -> why its type was widened
    skipped_bytes: int = 0

    @property
    def elements(self) -> int:
        return self.node_count + self.relationship_count


def _type_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "string[]"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    return "string"


def _merge_types(old: str | None, new: str) -> str:
    if old is None or old == new:
        return new
    if {old, new} == {"long", "double"}:
        return "double"
    return "string"


class _Field:
    """Formats one CSV field: None -> missing, strings always quoted."""

    def __init__(self, report: CsvReport) -> None:
        self.report = report

    def __call__(self, value: Any, kind: str) -> str:
        if value is None:
            return ""
        if kind == "boolean":
            return "true" if value else "false"
        if kind in ("long", "double"):
            return repr(value) if isinstance(value, float) else str(int(value))
        if kind == "string[]":
            items = [str(v) for v in value]
            if any(ARRAY_DELIMITER in v for v in items):
                raise ValueError(f"array value {items!r} holds the array delimiter {ARRAY_DELIMITER!r}")
            return self._quote(ARRAY_DELIMITER.join(items)) if items else ""
        return self._quote(value if isinstance(value, str) else str(value))

    def _quote(self, text: str) -> str:
        if "\n" in text or "\r" in text:
            self.report.multiline = True
        return '"' + text.replace('"', '""') + '"'


def _write_nodes(
    out: Path, label: str, batches: Iterator[list[Row]], fmt: _Field, report: CsvReport, with_labels: bool
) -> None:
    """Buffer one label's nodes (node tables are the small part of a store) to learn its columns."""
    rows: list[Row] = [row for batch in batches for row in batch]
    types: dict[str, str] = {}
    for row in rows:
        for key, value in row["props"].items():
            kind = _type_of(value)
            if kind is None or key == "uid":
                continue
            if kind == "bytes":
                report.skipped_bytes += 1
                continue
            merged = _merge_types(types.get(key), kind)
            if key in types and merged != types[key]:
                report.coerced[f"{label}.{key}"] = f"{types[key]}+{kind}->{merged}"
            types[key] = merged
    keys = sorted(types)
    path = out / f"{label}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        header = ["uid:ID", *(f"{k}:{types[k]}" if types[k] != "string" else k for k in keys)]
        if with_labels:
            header.append(":LABEL")
        fh.write(",".join(header) + "\n")
        for row in rows:
            props = row["props"]
            cells = [fmt(row["uid"], "string")]
            for k in keys:
                v = props.get(k)
                cells.append("" if isinstance(v, bytes | bytearray) else fmt(v, types[k]))
            if with_labels:
                cells.append(ARRAY_DELIMITER.join(row.get("labels", [])))
            fh.write(",".join(cells) + "\n")
    report.nodes[label] = path
    report.node_count += len(rows)


def write_csv(store_path: str, out: Path, store: str, batch: int = 20_000) -> CsvReport:
    """Write the import CSV files for the MLMD store at ``store_path`` into ``out`` (emptied first)."""
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    report = CsvReport(directory=out)
    fmt = _Field(report)
    source = open_source(store_path)
    try:
        reader = MlmdReader(source, store, OperatorMap.load())
        wm = Watermark()
        _write_nodes(out, "Context", reader.contexts(wm, batch), fmt, report, with_labels=True)
        _write_nodes(out, "Execution", reader.executions(wm, batch), fmt, report, with_labels=False)
        _write_nodes(out, "Artifact", reader.artifacts(wm, batch), fmt, report, with_labels=False)
        files: dict[str, TextIO] = {}
        try:
            for rel, header in (
                ("INPUT", EVENT_HEADER),
                ("OUTPUT", EVENT_HEADER),
                ("IN_CONTEXT", ":START_ID,:END_ID"),
                ("CHILD_OF", ":START_ID,:END_ID"),
            ):
                report.relationships[rel] = out / f"{rel}.csv"
                files[rel] = report.relationships[rel].open("w", encoding="utf-8", newline="")
                files[rel].write(header + "\n")
            kinds = ("string", "long", "string", "long", "string[]")
            for inputs, outputs, _ in reader.events(wm, batch):
                for rel, rows, start, end in (
                    ("INPUT", inputs, "artifact", "execution"),
                    ("OUTPUT", outputs, "execution", "artifact"),
                ):
                    fh = files[rel]
                    for row in rows:
                        p = row["props"]
                        cells = [fmt(row[start], "string"), fmt(row[end], "string")]
                        cells += [fmt(p[c], k) for c, k in zip(EVENT_COLUMNS, kinds, strict=True)]
                        fh.write(",".join(cells) + "\n")
                    report.relationship_count += len(rows)
            for links in (reader.associations(wm, batch), reader.attributions(wm, batch)):
                for rows, _ in links:
                    files["IN_CONTEXT"].writelines(f'"{r["node"]}","{r["context"]}"\n' for r in rows)
                    report.relationship_count += len(rows)
            for rows, _ in reader.parent_contexts(batch):
                files["CHILD_OF"].writelines(f'"{r["child"]}","{r["parent"]}"\n' for r in rows)
                report.relationship_count += len(rows)
        finally:
            for fh in files.values():
                fh.close()
    finally:
        source.close()
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class ImportReport:
    """The import tool's run: wall time, what it says it imported, its peak RSS."""

    seconds: float
    nodes: int
    relationships: int
    properties: int
    peak_rss_kib: int
    with_schema: bool
    output_tail: str

    @property
    def elements(self) -> int:
        return self.nodes + self.relationships


def _schema_file(path: Path) -> Path:
    """The product's constraints and indexes as a plain Cypher script for ``--schema``."""
    statements = query("schema/constraints").statements
    # the tool parses the file as one unit: every statement needs its own variable names
    renamed = [re.sub(r"\b([nr])\b", rf"\g<1>{i}", s) for i, s in enumerate(statements)]
    path.write_text(";\n".join(renamed) + ";\n")
    return path


def run_import(
    csv: CsvReport, home: Path, *, heap: str = "2g", pagecache: str = "2g", with_schema: bool = True
) -> ImportReport:
    """Import the CSV files into a fresh database under ``home`` (deleted first) with neo4j-admin."""
    if home.exists():
        shutil.rmtree(home)
    conf = home / "conf"
    conf.mkdir(parents=True)
    (conf / "neo4j.conf").write_text(
        f"server.directories.data={home / 'data'}\n"
        f"server.directories.logs={home / 'logs'}\n"
        f"server.memory.pagecache.size={pagecache}\n"
    )
    cmd = [
        "java",
        f"-Xmx{heap}",
        "-cp",
        f"{jar_dir()}/*",
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        "neo4j",  # the database name goes first: --nodes/--relationships take several files
        "--id-type=string",
        "--overwrite-destination=true",
        f"--report-file={home / 'import.report'}",
    ]
    if csv.multiline:
        cmd.append("--multiline-fields=true")
    if with_schema:
        cmd.append(f"--schema={_schema_file(home / 'schema.cypher')}")
    cmd += [f"--nodes={label}={path}" for label, path in csv.nodes.items()]
    cmd += [f"--relationships={rel}={path}" for rel, path in csv.relationships.items()]
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(conf))
    log = home / "import.log"
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # reaped here to get this child's own peak RSS
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    output = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"neo4j-admin import failed ({proc.returncode}): {output.strip()[-2000:]}")
    done = re.search(r"Imported:\s*([\d,]+) nodes\s*([\d,]+) relationships\s*([\d,]+) properties", output)
    if not done:
        raise RuntimeError(f"cannot read the import summary: {output.strip()[-1000:]}")
    nodes, rels, props = (int(g.replace(",", "")) for g in done.groups())
    return ImportReport(
        seconds=seconds,
        nodes=nodes,
        relationships=rels,
        properties=props,
        peak_rss_kib=int(usage.ru_maxrss),
        with_schema=with_schema,
        output_tail="\n".join(output.strip().splitlines()[-3:]),
    )
