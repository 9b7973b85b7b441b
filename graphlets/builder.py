"""Model graphlets (docs/graphlets.md): one :Graphlet per non-CACHED Trainer execution of a complete store.

A graphlet holds these executions, and every input and output artifact of each of them:

(a) the trainer n and every execution with a path to n on which no other execution is a Trainer;
(b) every StatisticsGen / SchemaGen / ExampleValidator that read a data-span artifact (one with a
    span, or an Examples / ExampleStatistics artifact) held by (a), no later than n's end;
(c) every execution reachable from n without passing another Trainer and from which no path leads
    to a Trainer.

Every traversal skips CACHED executions (their OUTPUT events re-publish older artifacts) and respects
time: a hop p -OUTPUT-> artifact -INPUT-> x exists only when x read the artifact at or after p wrote
it.

How it stays linear on DAGs with heavy sharing: nothing enumerates paths. Reachability is computed
level by level: Python keeps one visited set per search (per trainer of a batch); the newly reached
executions whose one-hop neighbours were not read yet go to one Cypher statement that expands a single
hop for all of them (``cypher/graphlets/expand_up`` / ``expand_down``), and each execution's hop is
kept for every search of the batch that reaches it (likewise the readers of each span artifact, rule
(b)). The server's work is proportional to the executions of the batch's graphlets (plus their edges),
not to the sum of their sizes, and Python's to the total size of the graphlets, which on rolling-window
traces is a constant multiple of the trace size. The set
of executions that lead to some Trainer (rule (c)'s exclusion) is one such search over the whole
store, seeded with all its trainers; the backward hops it read serve every trainer's rule (a) search,
so those are never read twice. Trainers are taken pipeline by pipeline in start order, and
execution details (times, states, the ids of their artifacts), artifact details (each read once,
however many executions wrote or read it) and hops are cached from one batch to the next for the
members of the latest batch only: consecutive graphlets share most of their members, so little is
fetched twice, and memory stays bounded by one batch's graphlets instead of growing with the store.
The reads of the traversal (hops, execution and artifact details, span readers) each return one
record holding a list, not one record per execution or artifact: the driver's cost is per record
(two socket reads and a message per record), and it was most of the client's time. The writes go the
same way: a batch's graphlets name their members by index into the batch's distinct member nodes
(``graphlets/write``), each segment derives ``pushed`` of the graphlets it wrote from their Pusher members
(``graphlets/pushed``), and the store-wide steps after the segments (cost shares, ``:NEXT``) run their
batches in parallel sessions; a whole-store build reads the pipeline fingerprints in a session of its own
while it builds.

History facts: for each graphlet, the builder also records when its own work began and whether each of its
``HISTORY_LAGS`` preceding graphlets along ``:NEXT`` had ended by then (``own_start``, ``prev_in_time``): the
features' push-outcome columns (``features/history``, ``features/push_history``) read them instead of
comparing member sets on the server. "Own work" against a predecessor p = the graphlet's executions that p
does not hold; its start is the earliest of their creation times. The builder has the member sets in
memory, so this is a few set differences per graphlet; it takes each pipeline's graphlets in the order of
``graphlets/link_next`` (trainer start, nulls last, ties by trainer MLMD id), the order of the chain.

Incremental: each graphlet stores a signature (hash of its trainer's and members' uid / state /
``updated``). A rebuild rewrites only graphlets whose signature changed, deletes graphlets whose
trainer is gone, recomputes cost shares only for graphlets sharing an execution with a rewritten or
deleted one (and writes only changed values), and relinks ``:NEXT`` only for the pipelines
concerned. History facts are derived for every graphlet in scope and written where they changed (a
graphlet keeps its signature when only a predecessor changed). A store whose load time is the one its
graphlets were last fully built from is skipped without reading its trace. In a store that changed, only
the pipelines whose lineage changed are rebuilt: each build records every pipeline's lineage fingerprint
(``cypher/graphlets/pipeline_fingerprints``: counts, update times and event degrees of its executions and
artifacts), and the next one rebuilds the pipelines whose fingerprint differs, plus the pipelines of
graphlets holding one of their nodes (lineage shared across pipelines). Such a scoped rebuild needs "leads
to a Trainer" only for the descendants of its trainers: it seeds that search with its own trainers and the
Trainers one hop after those descendants (``cypher/graphlets/next_trainers``) instead of every trainer
of the store, and gives the same graphlets as a full build. A store last built by another version of the
builder is rebuilt whole.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from mlprov.db import Row, Warehouse
from mlprov.errors import IncompleteStoreError, QueryError
from mlprov.loader.load import incomplete_line
from mlprov.settings import parallel_workers
from mlprov.summaries import ensure_store, refresh_store

VERSION = "1"
HISTORY_LAGS = 10  # predecessors whose end is compared with a graphlet's own start (the features' largest k)
DEFAULT_BATCH = 200
FRONTIER_CHUNK = 5000
SEGMENTS_PER_WORKER = 4  # segments per parallel session: balances the sessions, keeps batches long
T = TypeVar("T")


class GraphletObserver(Protocol):
    """Receives progress: a store's trainer count before it starts, then trainers done per batch."""

    def begin(self, store: str, total: int) -> None: ...

    def advance(self, store: str, done: int) -> None: ...


class _Silent:
    def begin(self, store: str, total: int) -> None:
        pass

    def advance(self, store: str, done: int) -> None:
        pass


@dataclass
class GraphletReport:
    """What one build did. ``updated`` counts rewritten graphlets (trainer or members changed);
    ``cost_updated`` counts graphlets whose cost shares changed (including rewritten ones)."""

    stores: list[str] = field(default_factory=list)
    skipped_stores: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # one line per store skipped: its load never completed
    graphlets: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    cost_updated: int = 0
    pushed: int = 0
    next_linked: int = 0
    scoped_pipelines: int = 0  # pipelines rebuilt in stores where only some pipelines changed
    seconds: float = 0.0


@dataclass
class _Exec:
    uid: str
    kind: str | None
    state: str | None
    created: int | None
    updated: int | None
    artifacts: list[str]  # elementIds of its input and output artifacts


@dataclass
class _Art:
    uid: str
    state: str | None
    updated: int | None
    span: bool  # a data-span artifact (rule (b)): one with a span, or an Examples / ExampleStatistics artifact


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Builder:
    def __init__(
        self,
        wh: Warehouse,
        store: str,
        batch_size: int,
        pool: ThreadPoolExecutor | None = None,
        known_up: dict[str, list[str]] | None = None,
    ) -> None:
        self.wh = wh
        self.store = store
        self.batch_size = max(1, batch_size)
        self.info: dict[str, _Exec] = {}
        self.arts: dict[str, _Art] = {}
        self.hops: dict[str, dict[str, list[str]]] = {"up": {}, "down": {}}
        self.readers: dict[str, list[tuple[str, int | None]]] = {}
        self.known_up = known_up or {}  # backward hops read already (the store-wide search's), never read again
        self.pool = pool

    # -- traversal ----------------------------------------------------------------------------
    def reach(self, direction: str, seeds: dict[int, list[str]]) -> dict[int, set[str]]:
        """Executions reachable from each search's seeds (seeds included), level by level. Each execution's
        one-hop neighbours (``cypher/graphlets/expand_<direction>``) are read once and kept for every search
        that reaches it: the searches of a batch share most of their executions."""
        hops = self.hops[direction]
        seen: dict[int, set[str]] = {g: set(xs) for g, xs in seeds.items()}
        frontier = {g: set(xs) for g, xs in seen.items()}
        while frontier:
            self.neighbours(direction, {x for xs in frontier.values() for x in xs})
            step: dict[int, set[str]] = {}
            for g, xs in frontier.items():
                new = {y for x in xs for y in hops[x]} - seen[g]
                if new:
                    seen[g] |= new
                    step[g] = new
            frontier = step
        return seen

    def neighbours(self, direction: str, ids: set[str]) -> None:
        """Read the one-hop neighbours of the executions not read yet, in chunks (parallel sessions when the
        builder has a pool)."""
        hops = self.hops[direction]
        known = self.known_up if direction == "up" else {}
        missing = []
        for x in sorted(ids):
            if x in hops:
                continue
            if x in known:
                hops[x] = known[x]
            else:
                hops[x] = []
                missing.append(x)
        parts = list(_chunks(missing, FRONTIER_CHUNK))
        for found in self.map(lambda part: self.wh.read(f"graphlets/expand_{direction}", ids=list(part)), parts):
            for x, ys in found[0]["hops"]:
                hops[x] = ys

    def map(self, fn: Callable[[T], list[Row]], parts: Sequence[T]) -> Iterator[list[Row]]:
        """``fn`` over independent parts (one read each), in order; in parallel sessions when the builder
        has a pool and there is more than one part."""
        if self.pool is None or len(parts) < 2:
            return map(fn, parts)
        return self.pool.map(fn, parts)

    def keep_only(self, rows: Sequence[dict[str, Any]]) -> None:
        """Forget what was read about every execution that is not a member of these graphlet rows."""
        kept = {x for r in rows for x in _executions(r)}
        self.info = {x: e for x, e in self.info.items() if x in kept}
        self.hops = {d: {x: ys for x, ys in hops.items() if x in kept} for d, hops in self.hops.items()}
        arts = {a for e in self.info.values() for a in e.artifacts}
        self.arts = {a: v for a, v in self.arts.items() if a in arts}
        self.readers = {a: xs for a, xs in self.readers.items() if a in arts}

    def fetch(self, ids: Iterable[str]) -> None:
        """Read the details of the executions not read yet, then of their artifacts not read yet (an artifact
        is read once, however many of the executions read or wrote it)."""
        missing = sorted({i for i in ids if i not in self.info})
        found: set[str] = set()
        for part in _chunks(missing, FRONTIER_CHUNK):
            for x, uid, kind, state, created, updated, artifacts in self.wh.read(
                "graphlets/execution_info", ids=list(part)
            )[0]["executions"]:
                self.info[x] = _Exec(str(uid), kind, state, created, updated, artifacts)
                found.update(artifacts)
        for part in _chunks(sorted(found - self.arts.keys()), FRONTIER_CHUNK):
            for a, uid, state, updated, span in self.wh.read("graphlets/artifact_info", ids=list(part))[0]["artifacts"]:
                self.arts[a] = _Art(str(uid), state, updated, span)

    def analysis(self, spans: dict[int, tuple[set[str], int | None]]) -> dict[int, set[str]]:
        """Rule (b): analysis executions reading each search's span artifacts by its trainer's end. Each span
        artifact's readers (``cypher/graphlets/analysis``) are read once, with the time they read it."""
        missing = sorted({a for arts, _ in spans.values() for a in arts if a not in self.readers})
        for a in missing:
            self.readers[a] = []
        for part in _chunks(missing, FRONTIER_CHUNK):
            for a, x, t in self.wh.read("graphlets/analysis", ids=list(part))[0]["readers"]:
                self.readers[a].append((x, t))
        return {
            g: {x for a in arts for x, t in self.readers[a] if end is None or t is None or t <= end}
            for g, (arts, end) in spans.items()
        }

    # -- one batch of trainers ----------------------------------------------------------------
    def graphlets(self, trainers: Sequence[dict[str, Any]], leads_to_trainer: set[str]) -> list[dict[str, Any]]:
        seeds = {g: [str(t["id"])] for g, t in enumerate(trainers)}
        up = self.reach("up", seeds)
        down = self.reach("down", seeds)
        self.fetch(x for xs in up.values() for x in xs)
        spans: dict[int, tuple[set[str], int | None]] = {}
        for g, xs in up.items():
            arts = {a for x in xs for a in self.info[x].artifacts if self.arts[a].span}
            spans[g] = (arts, trainers[g]["updated"])
        analysed = self.analysis(spans)
        members = {g: up[g] | analysed[g] | (down[g] - leads_to_trainer) for g in seeds}
        self.fetch(x for xs in members.values() for x in xs)
        return [self._row(t, members[g]) for g, t in enumerate(trainers)]

    def _row(self, t: dict[str, Any], members: set[str]) -> dict[str, Any]:
        execs = [self.info[x] for x in sorted(members)]
        artifacts = sorted({a for e in execs for a in e.artifacts})
        signature = hashlib.sha1(
            json.dumps(
                [
                    VERSION,
                    [t["uid"], t["state"], t["created"], t["updated"], t["pipeline"]],
                    sorted([e.uid, e.state, e.updated] for e in execs),
                    sorted([a.uid, a.state, a.updated] for a in map(self.arts.__getitem__, artifacts)),
                ],
                default=str,
            ).encode(),
            usedforsecurity=False,
        ).hexdigest()
        created = [e.created for e in execs if e.created is not None]
        updated = [e.updated for e in execs if e.updated is not None]
        props = {
            "uid": f"{self.store}:g:{t['mlmd_id']}",
            "store": self.store,
            "pipeline": t["pipeline"],
            "trainer_uid": t["uid"],
            "trainer_mlmd_id": t["mlmd_id"],
            "trainer_state": t["state"],
            "trainer_created": t["created"],
            "trainer_updated": t["updated"],
            "started": min(created) if created else None,
            "ended": max(updated) if updated else None,
            "n_executions": len(execs),
            "n_artifacts": len(artifacts),
            "signature": signature,
        }
        return {"uid": props["uid"], "props": props, "members": sorted(members) + artifacts}


def _executions(row: dict[str, Any]) -> Sequence[str]:
    """The member executions of a graphlet row (its members list executions first, then artifacts)."""
    members: list[str] = row["members"]
    return members[: int(row["props"]["n_executions"])]


@dataclass
class _Segment:
    """What building one segment of trainers did."""

    unchanged: int = 0
    created: int = 0
    updated: int = 0
    kept: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    written: list[str] = field(default_factory=list)
    pipelines: set[str] = field(default_factory=set)  # pipelines whose :NEXT chain must be relinked
    facts: list[dict[str, Any]] = field(default_factory=list)  # history facts that changed, written at the end
    pushers: list[dict[str, Any]] = field(default_factory=list)  # graphlets whose `pushed` to derive, Pusher members


class _Chain:
    """The latest graphlets of the pipeline being built (latest first), to derive each graphlet's history
    facts: ``own_start`` (the earliest creation time of its executions that its predecessor does not hold;
    of all of them without a predecessor; None when none has a time) and ``prev_in_time`` (for each of up to
    ``HISTORY_LAGS`` predecessors, latest first: it ended no later than the earliest start of the graphlet's
    executions it does not hold). Rows must come in chain order, pipeline by pipeline."""

    def __init__(self) -> None:
        self.pipeline: str | None = None
        self.recent: deque[tuple[set[str], int | None]] = deque(maxlen=HISTORY_LAGS)

    def facts(self, row: dict[str, Any], info: dict[str, _Exec]) -> dict[str, Any]:
        pipeline = row["props"]["pipeline"]
        if pipeline is None or pipeline != self.pipeline:  # graphlets without a pipeline are not chained
            self.pipeline = pipeline
            self.recent.clear()
        execs = _executions(row)
        # by creation time: the earliest one a predecessor does not hold is found without a full set difference
        timed = sorted((c, x) for x in execs if (c := info[x].created) is not None)
        starts = [next((c for c, x in timed if x not in held), None) for held, _ in self.recent]
        in_time = [
            start is not None and ended is not None and ended <= start
            for start, (_, ended) in zip(starts, self.recent, strict=True)
        ]
        own_start = starts[0] if starts else (timed[0][0] if timed else None)
        self.recent.appendleft((set(execs), row["props"]["ended"]))
        return {"uid": row["uid"], "own_start": own_start, "prev_in_time": in_time}


def _segments(scope: Sequence[dict[str, Any]], n: int) -> list[Sequence[dict[str, Any]]]:
    """``scope`` cut at pipeline boundaries into at most ``n`` contiguous runs of similar trainer counts."""
    target = max(1, -(-len(scope) // max(1, n)))
    out: list[Sequence[dict[str, Any]]] = []
    start = 0
    for i in range(1, len(scope) + 1):
        boundary = i == len(scope) or scope[i]["pipeline"] != scope[i - 1]["pipeline"]
        if boundary and (i - start >= target or i == len(scope)):
            out.append(scope[start:i])
            start = i
    return out


def _build_segment(
    b: _Builder,
    segment: Sequence[dict[str, Any]],
    leads_to_trainer: set[str],
    existing: dict[str, dict[str, Any]],
    obs: GraphletObserver,
    lock: threading.Lock,
    finish_all: bool,
) -> _Segment:
    """Build the graphlets of one segment batch by batch, write the changed ones, then derive their ``pushed``
    (every graphlet's when ``finish_all``): it depends on the graphlet's own members only."""
    out = _Segment()
    chain = _Chain()
    for batch in _chunks(segment, b.batch_size):
        rows = b.graphlets(batch, leads_to_trainer)
        facts = [chain.facts(row, b.info) for row in rows]
        b.keep_only(rows)
        changed = []
        for row in rows:
            uid = row["uid"]
            out.kept.add(uid)
            old = existing.get(uid)
            same = old is not None and old["signature"] == row["props"]["signature"]
            if finish_all or not same:
                out.pushers.append({"uid": uid, "pushers": [x for x in _executions(row) if b.info[x].kind == "Pusher"]})
            if same:
                out.unchanged += 1
                continue
            if old is None:
                out.created += 1
            else:
                out.updated += 1
                if old["pipeline"] is not None:
                    out.pipelines.add(str(old["pipeline"]))
            if row["props"]["pipeline"] is not None:
                out.pipelines.add(str(row["props"]["pipeline"]))
            changed.append(row)
        if changed:
            olds = [r["uid"] for r in changed if r["uid"] in existing]
            if olds:
                out.touched.update(str(r["id"]) for r in b.wh.read("graphlets/members_of", uids=olds))
            indexed, nodes = _indexed(changed)
            b.wh.write_rows("graphlets/write", indexed, nodes=nodes)
            out.written.extend(r["uid"] for r in changed)
            out.touched.update(x for r in changed for x in _executions(r))
        out.facts.extend(f for f in facts if _stored_facts(existing.get(f["uid"])) != _facts(f))
        with lock:
            obs.advance(b.store, len(batch))
    b.wh.write_rows("graphlets/history_facts", out.facts, batch=FRONTIER_CHUNK)
    b.wh.write_rows("graphlets/pushed", out.pushers, batch=1000)
    return out


def _indexed(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """``graphlets/write``'s arguments: the rows with their members as indexes into the list of the distinct
    member nodes of the batch (sent once each, however many of the graphlets hold them), and that list."""
    nodes = sorted({m for r in rows for m in r["members"]})
    index = {m: i for i, m in enumerate(nodes)}
    return [{**r, "members": [index[m] for m in r["members"]]} for r in rows], nodes


def _chain_order(t: dict[str, Any]) -> tuple[Any, ...]:
    """Trainers pipeline by pipeline, each pipeline in its :NEXT chain's order (graphlets/link_next: trainer
    start, nulls last, ties by MLMD id); trainers without a pipeline last."""
    return (t["pipeline"] is None, t["pipeline"] or "", t["created"] is None, t["created"] or 0, t["mlmd_id"])


def _facts(row: dict[str, Any]) -> tuple[Any, Any]:
    return row["own_start"], row["prev_in_time"]


def _stored_facts(old: dict[str, Any] | None) -> tuple[Any, Any] | None:
    """A built graphlet's stored history facts (None for a graphlet not built yet)."""
    return None if old is None else _facts(old)


def build_graphlets(
    wh: Warehouse,
    *,
    store: str | None = None,
    pipeline: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    observer: GraphletObserver | None = None,
    force: bool = False,
) -> GraphletReport:
    """Build or incrementally update the graphlets of every complete store (or of one store, or of
    one pipeline), their costs, ``pushed`` and ``:NEXT`` links. A store whose load never completed
    is skipped with a line in ``report.incomplete``; when no store could be built at all, that is
    an ``IncompleteStoreError``. ``force`` rebuilds even a store
    whose load has not changed since its last full build (unchanged graphlets are still not written).
    """
    started = time.monotonic()
    obs: GraphletObserver = observer or _Silent()
    report = GraphletReport()
    stores = wh.read("graphlets/stores", store=store)
    if store is not None and not stores:
        raise QueryError(f"no store named {store!r} is loaded (see `mlprov stores`)")
    for s in stores:
        if s["status"] != "complete":
            report.incomplete.append(incomplete_line(str(s["name"]), s["status"], s["source"]))
            continue
        name = str(s["name"])
        built_by = f"{VERSION}:{HISTORY_LAGS}"  # a build by an older mlprov lacks history facts
        marker = f"{s['loaded_at']}:{built_by}"
        if pipeline is None and not force and s["marker"] == marker:
            report.skipped_stores.append(name)
            summary = wh.read("graphlets/summary", store=name, pipeline=None)[0]
            report.unchanged += int(summary["graphlets"])
            report.pushed += int(summary["pushed"])
            ensure_store(wh, name)  # the app's summaries (docs/app.md), when missing or stale
            continue
        interrupted = bool(wh.write("graphlets/store_building", name=name, building=True)[0]["was"])
        with ThreadPoolExecutor(max_workers=1) as side:
            # read in a session of its own while the store builds: a whole-store build needs the fingerprints
            # only for its marker at the end (the store's lock keeps its lineage as it was)
            reading = side.submit(pipeline_fingerprints, wh, name) if pipeline is None else None
            if reading is None:  # one pipeline
                scope: list[str] | None = [str(pipeline)]
            elif force or interrupted or s["pipelines"] is None or not str(s["marker"]).endswith(f":{built_by}"):
                scope = None
            else:
                scope = changed_pipelines(wh, name, json.loads(str(s["pipelines"])), reading.result())
            before = report.created + report.updated + report.unchanged
            summaries = _build_store(wh, name, scope, batch_size, obs, report, finish_all=interrupted)
            fingerprints = reading.result() if reading is not None else {}
        wh.write("graphlets/store_building", name=name, building=False)
        summary = wh.read("graphlets/summary", store=name, pipeline=pipeline)[0]
        report.pushed += int(summary["pushed"])
        if scope is not None and pipeline is None:  # the pipelines left alone: unchanged
            report.scoped_pipelines += len(scope)
            rebuilt = report.created + report.updated + report.unchanged - before
            report.unchanged += int(summary["graphlets"]) - rebuilt
        report.stores.append(name)
        refresh_store(wh, name, summaries)  # the app's summaries
        if pipeline is None:
            wh.write("graphlets/store_mark", name=name, marker=marker, pipelines=json.dumps(fingerprints))
    if report.incomplete and not (report.stores or report.skipped_stores):
        raise IncompleteStoreError("; ".join(report.incomplete))
    report.graphlets = report.created + report.updated + report.unchanged
    report.seconds = time.monotonic() - started
    return report


def _build_store(
    wh: Warehouse,
    store: str,
    pipelines: Sequence[str] | None,
    batch_size: int,
    obs: GraphletObserver,
    report: GraphletReport,
    *,
    finish_all: bool = False,
) -> list[str] | None:
    """Build one store's graphlets, or only those of ``pipelines``; the pipelines whose app summaries
    must be refreshed (None: all of them). ``finish_all`` (after an interrupted build) re-derives costs,
    ``pushed`` and :NEXT for every graphlet in scope, not only for the rewritten ones.

    Graphlets of different pipelines are independent: the trainers in scope (pipeline by pipeline, in
    start order) are cut into contiguous segments that :func:`~mlprov.settings.parallel_workers`
    sessions build at once; each segment goes batch by batch as a single build would."""
    trainers = wh.read("graphlets/trainers", store=store)
    wanted = None if pipelines is None else set(pipelines)
    scope = sorted(
        (t for t in trainers if wanted is None or t["pipeline"] in wanted),
        key=_chain_order,
    )
    every = {str(r["uid"]): r for r in wh.read("graphlets/existing", store=store)}
    existing = {u: r for u, r in every.items() if wanted is None or r["pipeline"] in wanted}
    obs.begin(store, len(scope))
    workers = parallel_workers()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # executions from which a path leads to some Trainer (excluded from rule (c))
        whole = _Builder(wh, store, batch_size, pool)
        leads_to_trainer = whole.reach("up", {0: _trainer_seeds(whole, trainers, scope, wanted is None)})[0]
        # that search read the backward hop of every execution a trainer's rule (a) search can reach
        ancestors = whole.hops["up"]
        lock = threading.Lock()

        def run(segment: Sequence[dict[str, Any]]) -> _Segment:
            b = _Builder(wh, store, batch_size, known_up=ancestors)
            return _build_segment(b, segment, leads_to_trainer, existing, obs, lock, finish_all)

        done = list(pool.map(run, _segments(scope, workers * SEGMENTS_PER_WORKER)))
    touched: set[str] = set().union(*(d.touched for d in done))  # held before/after by rewritten / deleted graphlets
    written: list[str] = [u for d in done for u in d.written]
    groups: set[tuple[str, str]] = {(store, p) for d in done for p in d.pipelines}
    kept: set[str] = set().union(*(d.kept for d in done))
    report.unchanged += sum(d.unchanged for d in done)
    report.created += sum(d.created for d in done)
    report.updated += sum(d.updated for d in done)

    gone = sorted(set(existing) - kept)
    if gone:
        touched.update(str(r["id"]) for r in wh.read("graphlets/members_of", uids=gone))
        deleted = wh.write_rows("graphlets/delete", gone, key="uids", batch=1000)
        report.deleted += sum(int(r["deleted"]) for r in deleted)
        groups.update((store, str(existing[u]["pipeline"])) for u in gone if existing[u]["pipeline"] is not None)

    if finish_all:
        written = sorted(kept)
        groups.update((store, str(t["pipeline"])) for t in scope if t["pipeline"] is not None)
    recost: set[str] = set(written)
    if wanted is not None or len(recost) < len(kept):
        # graphlets holding an execution of this store belong to this store; when every one of them was just
        # written (a first build, or after an interrupted one), none needs to be looked up
        for part in _chunks(sorted(touched), FRONTIER_CHUNK):
            recost.update(str(r["uid"]) for r in wh.read("graphlets/holders", ids=list(part)))
    costs = _write_parallel(wh, "graphlets/costs", sorted(recost), key="uids", batch=1000)
    report.cost_updated += sum(int(r["changed"]) for r in costs)
    pipelines_linked = [{"store": s, "pipeline": p} for s, p in sorted(groups)]
    links = _write_parallel(wh, "graphlets/link_next", pipelines_linked, key="groups", batch=50)
    report.next_linked += sum(int(r["linked"]) for r in links)
    if wanted is None:
        return None
    # a rebuilt pipeline, and one whose graphlets' cost shares may have moved (they share an execution)
    costed = {str(every[u]["pipeline"]) for u in recost if u in every and every[u]["pipeline"] is not None}
    return sorted(wanted | costed | {p for _, p in groups})


def _write_parallel(wh: Warehouse, name: str, items: Sequence[Any], *, key: str, batch: int) -> list[Row]:
    """``wh.write_rows(name, ...)`` on batches of ``items`` in :func:`~mlprov.settings.parallel_workers`
    sessions at once (the statement must write only what its own items own: graphlets/costs and
    graphlets/link_next set properties and links of their own graphlets), the rows in batch order."""
    parts = list(_chunks(items, batch))
    if len(parts) < 2:
        return wh.write_rows(name, items, key=key, batch=batch)
    with ThreadPoolExecutor(max_workers=parallel_workers()) as pool:
        return [r for rows in pool.map(lambda part: wh.write_rows(name, part, key=key), parts) for r in rows]


def _trainer_seeds(
    finder: _Builder, trainers: Sequence[dict[str, Any]], scope: Sequence[dict[str, Any]], whole_store: bool
) -> list[str]:
    """The seeds of the "leads to a Trainer" search: every trainer of the store for a whole-store build.
    For a scoped build, its own trainers and the Trainers one hop after their rule (c) descendants: the
    first Trainer on any path from such a descendant is one of these, and the search from them (which stops
    at Trainers) reaches exactly the descendants that lead to a Trainer; their own rule (a) hops are read
    by it, as in the whole-store search."""
    if whole_store:
        return [str(t["id"]) for t in trainers]
    seeds = {str(t["id"]) for t in scope}
    below = sorted(finder.reach("down", {0: sorted(seeds)})[0])
    for part in _chunks(below, FRONTIER_CHUNK):
        seeds.update(str(t) for t in finder.wh.read("graphlets/next_trainers", ids=list(part))[0]["trainers"])
    return sorted(seeds)


def pipeline_fingerprints(wh: Warehouse, store: str) -> dict[str, str]:
    """Each pipeline of the store (``""`` for nodes in none) with a fingerprint of its lineage: equal
    fingerprints mean no execution, artifact or event of the pipeline was added, changed or deleted
    (``cypher/graphlets/pipeline_fingerprints``)."""
    parts: dict[str, list[Any]] = {}
    for p, *numbers in wh.read("graphlets/pipeline_fingerprints", store=store)[0]["pipelines"]:
        parts.setdefault("" if p is None else str(p), []).append(numbers)
    return {
        p: hashlib.sha1(json.dumps(sorted(v)).encode(), usedforsecurity=False).hexdigest()[:20]
        for p, v in parts.items()
    }


def changed_pipelines(wh: Warehouse, store: str, before: dict[str, str], now: dict[str, str]) -> list[str] | None:
    """The pipelines to rebuild after a reload: those whose fingerprint changed (new, gone or different),
    plus the pipelines of graphlets holding a node of one of them. None (rebuild the whole store) when a
    node without a pipeline changed, or a pipeline is gone (its summaries are pruned by a whole-store build)."""
    changed = sorted(p for p in before.keys() | now.keys() if before.get(p) != now.get(p))
    if "" in changed or any(p not in now for p in changed):
        return None
    if not changed:
        return []
    holding = wh.read("graphlets/pipelines_holding", store=store, pipelines=changed)[0]["pipelines"]
    if any(p is None for p in holding):
        return None
    return sorted(set(changed) | {str(p) for p in holding})
