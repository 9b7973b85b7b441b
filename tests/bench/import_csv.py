"""The reference point: ``neo4j-admin database import full`` run by hand on the product's CSV files.

The CSV files are the ones ``mlprov load --bulk`` writes (``loader/bulk.py``: same reader, same graph
model, one import group per file). ``run_import`` runs the import tool from the managed server's jars
into a fresh server home of its own, optionally with the product's constraints and indexes passed as
``--schema`` (the Community record format refuses that; the benchmark builds them on a started server).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from mlprov.queries import query
from mlprov.server import jar_dir, multiline_args


@dataclass
class CsvSet:
    """Import groups (label or type, file) and the files with fields that span lines."""

    nodes: list[tuple[str, Path]]
    relationships: list[tuple[str, Path]]
    multiline: list[Path]


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
    csv: CsvSet, home: Path, *, heap: str = "2g", pagecache: str = "2g", with_schema: bool = True
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
    cmd += multiline_args(csv.multiline)
    if with_schema:
        cmd.append(f"--schema={_schema_file(home / 'schema.cypher')}")
    cmd += [f"--nodes={label}={path}" for label, path in csv.nodes]
    cmd += [f"--relationships={rel}={path}" for rel, path in csv.relationships]
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
