"""Wrong invocations of every command: the usage line, one error line, exit 2, never a traceback.

No server is needed: each of these must be refused while the arguments are parsed, before mlprov
connects anywhere (a connection attempt would print ``mlprov: error: no Neo4j configured`` instead of
the usage line, which the assertions below tell apart).
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# (arguments, a fragment the error line must contain)
WRONG = [
    (["--nosuch"], "No such option: --nosuch"),
    (["nosuchcmd"], "No such command 'nosuchcmd'"),
    (["neo4j", "nosuch"], "No such command 'nosuch'"),
    (["neo4j", "logs", "-n", "abc"], "'-n'"),
    (["neo4j", "dump"], "Missing argument 'FILE'"),
    (["neo4j", "restore"], "Missing argument 'FILE'"),
    (["neo4j", "restore", "{tmp}/x.dump"], "'--yes'"),
    (["load"], "Missing argument 'SOURCE'"),
    (["load", "x.sqlite", "--batch-size", "0"], "'--batch-size'"),
    (["load", "x.sqlite", "--prune-guard", "much"], "'--prune-guard'"),
    (["stores", "--bogus"], "No such option: --bogus"),
    (["reset"], "'--yes'"),
    (["generate"], "Missing argument 'OUT_DIR'"),
    (["generate", "{tmp}/c", "--preset", "huge"], "unknown preset 'huge'"),
    (["generate", "{tmp}/c", "--shards", "0"], "'--shards'"),
    (["generate", "{tmp}/c", "--seed", "x"], "'--seed'"),
    (["demo", "--preset", "huge"], "unknown preset 'huge'"),
    (["graphlets", "--batch-size", "0"], "'--batch-size'"),
    (["graphlets", "extra"], "unexpected extra argument"),
    (["features", "--k", "11"], "'--k'"),
    (["train", "--set", "nosuch"], "unknown set 'nosuch'"),
    (["train", "--seed", "abc"], "'--seed'"),
    (["evaluate", "--seeds", "abc"], "'--seeds'"),
    (["evaluate", "--sets", "input,nosuch"], "unknown set(s) nosuch"),
    (["evaluate", "--latent", "{tmp}/missing.csv"], "does not exist"),
    (["predict", "--top", "0"], "'--top'"),
    (["report", "--bogus"], "No such option: --bogus"),
    (["query", "--format", "xml", "pipelines"], "'xml' is not one of"),
    (["query", "--limit", "0", "pipelines"], "'--limit'"),
    (["lineage"], "Missing argument 'UID'"),
    (["lineage", "s:e:1", "--depth", "0"], "'--depth'"),
    (["live"], "Missing option '--at'"),
    (["export", "--pipeline", "x"], "No such option: --pipeline"),
    (["export", "p", "-o", "{tmp}/x", "--format", "pdf"], "'pdf' is not one of"),
    (["app", "--port", "70000"], "'--port'"),
    (["migrate", "--yes"], "No such option: --yes"),
    (["migrate", "extra"], "unexpected extra argument"),
    (["migrate", "--dry"], "No such option: --dry"),
]


def _run(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["MLPROV_HOME"] = str(tmp / "home")
    exe = Path(sys.executable).with_name("mlprov")
    argv = [a.replace("{tmp}", str(tmp)) for a in args]
    return subprocess.run([str(exe), *argv], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_wrong_invocations_print_usage_and_one_error_line(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda case: _run(case[0], tmp_path), WRONG))
    problems = []
    for (args, fragment), proc in zip(WRONG, results, strict=True):
        lines = proc.stderr.strip().splitlines()
        error_lines = [line for line in lines if line.startswith("Error: ")]
        ok = (
            proc.returncode == 2
            and "Traceback" not in proc.stderr
            and lines
            and lines[0].startswith("Usage: mlprov")
            and len(error_lines) == 1
            and lines[-1] == error_lines[0]
            and fragment in error_lines[0]
            and proc.stdout == ""
        )
        if not ok:
            problems.append(f"mlprov {' '.join(args)} -> exit {proc.returncode}\n{proc.stderr}")
    assert not problems, "\n\n".join(problems)
    assert not (tmp_path / "c").exists(), "a refused generate wrote files"


@pytest.mark.parametrize("args", [["--help"], ["load", "--help"], ["graphlets", "--help"], ["neo4j", "--help"]])
def test_help_shows_flags_without_type_placeholders(args: list[str], tmp_path: Path) -> None:
    proc = _run(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: mlprov")
    assert "<bool>" not in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
