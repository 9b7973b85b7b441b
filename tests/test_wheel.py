"""The built wheel is the whole product: built without packaging warnings, it holds every module and every
Cypher file of the tree, and a virtualenv that has only the wheel (no editable checkout on its path) runs
`mlprov --help` and a library query against the real server.

The clean virtualenv borrows the third-party packages of the test environment through a path entry (a
full dependency install would download ~1.5 GB per run); mlprov itself comes only from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from mlprov.settings import Connection

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "core": "mlprov",
    "loader": "mlprov/loader",
    "features": "mlprov/features",
    "graphlets": "mlprov/graphlets",
    "app": "mlprov/app",
    "cypher": "mlprov/cypher",
    "generator": "mlprov/generator",
    "analysis": "mlprov/analysis",
}


def _expected_files() -> set[str]:
    files = set()
    for folder, package in FOLDERS.items():
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".cypher") and "__pycache__" not in path.parts:
                files.add(f"{package}/{path.relative_to(ROOT / folder).as_posix()}")
    return files


def _source_copy(tmp_path: Path) -> Path:
    """The tree without build outputs: setuptools reuses build/lib, which keeps modules moved or deleted since."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", "site"),
    )
    return source


def _venv_with_borrowed_deps(tmp_path: Path) -> tuple[Path, Path]:
    """A new virtualenv that sees this environment's dependencies but not its mlprov; (venv, site-packages)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    borrowed = Path(sysconfig.get_paths()["purelib"])  # a plain path entry: its .pth files (editable finder) stay off
    site = next((venv / "lib").glob("python3.*/site-packages"))
    (site / "borrowed_deps.pth").write_text(f"{borrowed}\n")
    return venv, site


def test_wheel_builds_cleanly_and_runs_from_a_clean_virtualenv(tmp_path: Path, neo4j_connection: Connection) -> None:
    # built from a copy of the tree without build outputs: setuptools reuses build/lib, which keeps
    # modules that were moved or deleted since the last build
    source = _source_copy(tmp_path)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    assert "Warning" not in build.stdout + build.stderr, build.stdout + build.stderr
    (wheel,) = (tmp_path / "dist").glob("mlprov-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = {name for name in zf.namelist() if name.endswith((".py", ".cypher"))}
    assert shipped == _expected_files()

    venv, site = _venv_with_borrowed_deps(tmp_path)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, install.stderr

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(
        NEO4J_URI=neo4j_connection.uri,
        NEO4J_USER=neo4j_connection.user,
        NEO4J_PASSWORD=neo4j_connection.password,
        NEO4J_DATABASE=neo4j_connection.database,
    )
    exe = str(venv / "bin" / "mlprov")
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import mlprov.cypher, mlprov.loader; print(mlprov.cypher.__file__); print(mlprov.loader.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert all(line.startswith(str(site)) for line in where.stdout.split()), where.stdout

    helped = subprocess.run([exe, "--help"], capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert helped.returncode == 0 and "load" in helped.stdout and "graphlets" in helped.stdout
    listed = subprocess.run(
        [exe, "query", "--list"], capture_output=True, text=True, cwd=tmp_path, env=env, check=False
    )
    assert listed.returncode == 0 and "pipelines" in listed.stdout, listed.stderr
    asked = subprocess.run(
        [exe, "query", "pipelines", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.strip().startswith("["), asked.stdout


def test_editable_install_from_the_repository_root(tmp_path: Path) -> None:
    # the developer's install: the only notice setuptools may print is the one it prints for every mapped
    # layout ("Editable installation."); nothing in the working directory is named like the package, so
    # the package imported from the repository root is the mapped one
    source = _source_copy(tmp_path)
    venv, _ = _venv_with_borrowed_deps(tmp_path)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--no-deps", "-e", "."],
        capture_output=True,
        text=True,
        cwd=source,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    warnings = [line.strip() for line in (install.stdout + install.stderr).splitlines() if "Warning" in line]
    assert all(line.endswith("BuildBackendWarning: Editable installation.") for line in warnings), warnings
    assert not (source / "mlprov").exists()
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import mlprov, mlprov.loader; print(mlprov.__file__, mlprov.loader.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=source,
        check=True,
    )
    assert where.stdout.split() == [str(source / "core" / "__init__.py"), str(source / "loader" / "__init__.py")]
