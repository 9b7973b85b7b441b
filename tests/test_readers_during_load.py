"""Readers during a load: while a real `mlprov load` writes a second store, the corpus analytics,
the library (through `mlprov query`), the feature frame and the app's data see only the completely
loaded store. Every sample equals the state before the load or the state after it, never a partial
count, and the store being loaded is listed as loading.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from mlprov.app import overview_data, pipelines_data, shared_data
from mlprov.db import Warehouse
from mlprov.features.frame import compute_frame
from mlprov.graphlets.builder import build_graphlets
from mlprov.loader.load import Loader
from mlprov.loader.model import MODEL_VERSION
from tests.conftest import run_cli

LIBRARY = ("executions_by_kind", "pipelines")  # run through `mlprov query`, as an analyst would
ANALYTICS = ("analytics/corpus", "analytics/stage_compute", "analytics/pipeline_traces")


def _norm(value: Any) -> Any:
    """Rows compared as values: floats to 9 significant digits (sums may add up in another order), NaN
    as None (NaN never equals itself)."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def _in_process(wh: Warehouse) -> dict[str, Any]:
    """What the analytics, the feature frame and the app's pages read, in this process."""
    sample: dict[str, Any] = {name: wh.read(name, store=None) for name in ANALYTICS}
    frame = compute_frame(wh, k=2)
    sample["frame"] = frame.sort_values("uid").to_dict("records")
    cat = shared_data.catalog(shared_data.Reader(wh))
    ov = overview_data.overview(cat, None)
    sample["overview"] = {**ov.totals, "cost_by_stage": ov.cost_by_stage.to_dict("records")}
    sample["pipelines_page"] = pipelines_data.pipelines(shared_data.Reader(wh), cat.scope(None)).to_dict("records")
    return _norm(sample)


def _check(wrong: list[str], key: str, first: str | None, last: str | None, got: Any, before: Any, after: Any) -> None:
    """A sample taken while the store was loading from start to end must equal the state before the
    load; one taken across the commit may equal either state."""
    allowed = [before] if first == last == "loading" else [before, after]
    if got not in allowed:
        wrong.append(
            f"{key} (busy {first} -> {last}): got {_brief(got)}; before {_brief(before)}; after {_brief(after)}"
        )


def _brief(value: Any) -> str:
    text = json.dumps(value[0] if isinstance(value, list) and value else value, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def _status(wh: Warehouse, store: str) -> str | None:
    found = wh.read("load/store_get", name=store)
    return str(found[0]["store"]["status"]) if found else None


def _query(name: str) -> tuple[Any, str]:
    proc = run_cli("query", name, "--format", "json", "--limit", "100000")
    assert proc.returncode == 0, proc.stderr
    return _norm(json.loads(proc.stdout)), proc.stderr


def test_readers_see_only_committed_stores_while_a_load_runs(
    warehouse: Warehouse, tiny_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "corpus.sqlite"
    source.write_bytes(next((tiny_dir / "stores").glob("*.sqlite")).read_bytes())
    Loader(warehouse).load(source, store="done")
    pipeline = warehouse.read("library/pipelines", store="done")[0]["pipeline"]
    build_graphlets(warehouse, store="done", pipeline=pipeline)
    before = _in_process(warehouse)
    before_query = {name: _query(name)[0] for name in LIBRARY}
    assert before["frame"] and before["analytics/corpus"][0]["executions"] > 0  # something to miscount

    # The same MLMD store loaded again under another name: when it commits every count doubles.
    cmd = [str(Path(sys.executable).with_name("mlprov")), "load", str(source), "--store-name", "busy"]
    # small transactions: the load lasts long enough for `mlprov query` subprocesses to run inside it
    load = subprocess.Popen([*cmd, "--batch-size", "10"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[str | None, dict[str, Any], str | None]] = []  # status before, sample, status after
    query_samples: list[tuple[str | None, str, Any, str, str | None]] = []
    done = threading.Event()

    def sample_queries() -> None:  # `mlprov query` subprocesses, beside the in-process readers
        while not done.is_set() and _status(warehouse, "busy") is None:
            time.sleep(0.05)  # the first query starts once the load has begun
        while not done.is_set():
            for name in LIBRARY:
                first = _status(warehouse, "busy")
                rows, err = _query(name)
                query_samples.append((first, name, rows, err, _status(warehouse, "busy")))

    sampler = threading.Thread(target=sample_queries)
    sampler.start()
    try:
        while load.poll() is None:
            first = _status(warehouse, "busy")
            sample = _in_process(warehouse)
            samples.append((first, sample, _status(warehouse, "busy")))
    finally:
        done.set()
        sampler.join(timeout=120)
        _, load_err = load.communicate(timeout=600)
    assert load.returncode == 0, load_err
    after = _in_process(warehouse)
    after_query = {name: _query(name)[0] for name in LIBRARY}
    assert after["analytics/corpus"][0]["executions"] == 2 * before["analytics/corpus"][0]["executions"]

    during = [s for first, s, last in samples if first == last == "loading"]
    assert len(during) >= 3, f"only {len(during)} in-process samples landed during the load"
    wrong: list[str] = []  # every sample that is neither state, said in one line
    for first, sample, last in samples:
        for key in before:
            _check(wrong, key, first, last, sample[key], before[key], after[key])
    queried_during = [q for q in query_samples if q[0] == q[4] == "loading"]
    assert queried_during, "no `mlprov query` ran while the store was loading"
    for first, name, rows, err, last in query_samples:
        _check(wrong, f"mlprov query {name}", first, last, rows, before_query[name], after_query[name])
        if first == last == "loading" and not ("skipped store 'busy'" in err and "status 'loading'" in err):
            wrong.append(f"mlprov query {name} did not say that 'busy' is loading: {err!r}")
    asked = len(samples) + len(query_samples)
    assert not wrong, f"{len(wrong)} wrong answers in {asked} samples:\n" + "\n".join(wrong[:8])

    # what a user sees of the store while it loads: listed as loading, counted nowhere
    warehouse.write("load/store_begin", name="busy", props={}, model_version=MODEL_VERSION)
    cat = shared_data.catalog(shared_data.Reader(warehouse))
    assert (cat.loading(), cat.scope(None)) == (["busy"], ["done"])
    table = overview_data.overview(cat, None).stores.set_index("name")["status"].to_dict()
    assert table == {"busy": "loading", "done": "complete"}
    assert _in_process(warehouse) == before
