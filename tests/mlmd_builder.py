"""Hand-built MLMD traces written as real MLMD SQLite stores with the official ``ml-metadata`` library.

A test describes a trace step by step (executions with TFX type names, states, artifacts, events
with their times, pipeline and run contexts) and :meth:`MlmdBuilder.write` writes it through
``ml_metadata.metadata_store.MetadataStore`` (types, executions, artifacts, events, contexts,
associations, attributions, parent contexts). MLMD sets creation/update times itself (wall clock);
afterwards the builder rewrites them with plain SQL to the logical times the test chose, so costs
(duration) and time order are exact. The file stays an ordinary MLMD store.

Times are seconds on a logical clock starting at :data:`BASE_MS` (ms since epoch).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

BASE_MS = 1_700_000_000_000

TFX_TYPES = {
    "CsvExampleGen": "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen",
    "StatisticsGen": "tfx.components.statistics_gen.component.StatisticsGen",
    "SchemaGen": "tfx.components.schema_gen.component.SchemaGen",
    "ExampleValidator": "tfx.components.example_validator.component.ExampleValidator",
    "Transform": "tfx.components.transform.component.Transform",
    "Tuner": "tfx.components.tuner.component.Tuner",
    "Trainer": "tfx.components.trainer.component.Trainer",
    "Evaluator": "tfx.components.evaluator.component.Evaluator",
    "InfraValidator": "tfx.components.infra_validator.component.InfraValidator",
    "Pusher": "tfx.components.pusher.component.Pusher",
    "Resolver": "tfx.dsl.components.common.resolver.Resolver",
}
SPAN_TYPES = frozenset({"Examples", "ExampleStatistics"})
STATES = {"NEW": 1, "RUNNING": 2, "COMPLETE": 3, "FAILED": 4, "CACHED": 5, "CANCELED": 6}


def ms(t: float) -> int:
    """Logical time ``t`` (seconds) as ms since epoch."""
    return BASE_MS + round(t * 1000)


@dataclass
class _Execution:
    type_name: str
    state: str | None
    start: float
    end: float
    props: dict[str, Any]
    pipeline: str | None
    run: str | None


@dataclass
class _Artifact:
    type_name: str
    created: float
    span: int | None
    props: dict[str, Any]
    uri: str


@dataclass
class _Event:
    artifact: int
    execution: int
    kind: int  # 3 INPUT, 4 OUTPUT
    time: float


@dataclass
class MlmdBuilder:
    """Collects a trace in memory; :meth:`write` turns it into an MLMD SQLite file.

    Handles returned by :meth:`execution` / :meth:`artifact` are the MLMD ids the rows get (1-based,
    in creation order).
    """

    pipeline: str | None = "pipe"
    executions: list[_Execution] = field(default_factory=list)
    artifacts: list[_Artifact] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)

    # -- description ------------------------------------------------------------------------------
    def execution(
        self,
        kind: str,
        start: float,
        end: float | None = None,
        *,
        state: str | None = "COMPLETE",
        props: dict[str, Any] | None = None,
        pipeline: str | None = "",
        run: str | None = None,
    ) -> int:
        """An execution of a TFX component (short name) or of any full type name; returns its id."""
        type_name = TFX_TYPES.get(kind, kind)
        self.executions.append(
            _Execution(
                type_name,
                state,
                start,
                start + 1 if end is None else end,
                dict(props or {}),
                self.pipeline if pipeline == "" else pipeline,
                run,
            )
        )
        return len(self.executions)

    def artifact(self, type_name: str, created: float, *, span: int | None = None, **props: Any) -> int:
        n = len(self.artifacts) + 1
        self.artifacts.append(_Artifact(type_name, created, span, dict(props), f"/art/{type_name}/{n}"))
        return n

    def read(self, artifact: int, execution: int, time: float | None = None) -> None:
        """An INPUT event: ``execution`` reads ``artifact`` (default: at the execution's start)."""
        t = self.executions[execution - 1].start if time is None else time
        self.events.append(_Event(artifact, execution, 3, t))

    def write_event(self, execution: int, artifact: int, time: float | None = None) -> None:
        """An OUTPUT event: ``execution`` writes ``artifact`` (default: at the execution's end)."""
        t = self.executions[execution - 1].end if time is None else time
        self.events.append(_Event(artifact, execution, 4, t))

    def step(
        self,
        kind: str,
        start: float,
        end: float | None = None,
        *,
        inputs: list[int] = (),  # type: ignore[assignment]
        outputs: list[str] = (),  # type: ignore[assignment]
        span: int | None = None,
        state: str | None = "COMPLETE",
        props: dict[str, Any] | None = None,
        out_props: dict[str, Any] | None = None,
        pipeline: str | None = "",
        run: str | None = None,
    ) -> tuple[int, list[int]]:
        """An execution reading ``inputs`` at its start and writing new artifacts of the ``outputs``
        types at its end (span-bearing types get ``span``); returns (execution id, artifact ids)."""
        x = self.execution(kind, start, end, state=state, props=props, pipeline=pipeline, run=run)
        for a in inputs:
            self.read(a, x)
        made = []
        for type_name in outputs:
            at = self.executions[x - 1].end
            a = self.artifact(type_name, at, span=span if type_name in SPAN_TYPES else None, **(out_props or {}))
            self.write_event(x, a)
            made.append(a)
        return x, made

    # -- writing ----------------------------------------------------------------------------------
    def write(self, path: Path) -> Path:
        cfg = pb.ConnectionConfig()
        cfg.sqlite.filename_uri = str(path)
        cfg.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
        store = metadata_store.MetadataStore(cfg)

        exec_types: dict[str, int] = {}
        for e in self.executions:
            if e.type_name not in exec_types:
                exec_types[e.type_name] = store.put_execution_type(pb.ExecutionType(name=e.type_name))
        art_types: dict[str, int] = {}
        for a in self.artifacts:
            if a.type_name not in art_types:
                t = pb.ArtifactType(name=a.type_name)
                if a.type_name in SPAN_TYPES:
                    t.properties["span"] = pb.INT
                art_types[a.type_name] = store.put_artifact_type(t)

        executions = []
        for e in self.executions:
            x = pb.Execution(type_id=exec_types[e.type_name])
            if e.state is not None:
                x.last_known_state = STATES[e.state]
            for k, v in e.props.items():
                _set_value(x.custom_properties[k], v)
            executions.append(x)
        exec_ids = list(store.put_executions(executions)) if executions else []
        artifacts = []
        for a in self.artifacts:
            y = pb.Artifact(type_id=art_types[a.type_name], uri=a.uri, state=pb.Artifact.LIVE)
            if a.span is not None:
                y.properties["span"].int_value = a.span
            for k, v in a.props.items():
                _set_value(y.custom_properties[k], v)
            artifacts.append(y)
        art_ids = list(store.put_artifacts(artifacts)) if artifacts else []
        assert exec_ids == list(range(1, len(exec_ids) + 1)), exec_ids
        assert art_ids == list(range(1, len(art_ids) + 1)), art_ids
        if self.events:
            store.put_events(
                [
                    pb.Event(
                        artifact_id=ev.artifact,
                        execution_id=ev.execution,
                        type=ev.kind,
                        milliseconds_since_epoch=ms(ev.time),
                    )
                    for ev in self.events
                ]
            )
        self._contexts(store)
        del store

        db = sqlite3.connect(path)
        with db:
            db.executemany(
                "UPDATE Execution SET create_time_since_epoch = ?, last_update_time_since_epoch = ? WHERE id = ?",
                [(ms(e.start), ms(e.end), i) for i, e in enumerate(self.executions, 1)],
            )
            db.executemany(
                "UPDATE Artifact SET create_time_since_epoch = ?, last_update_time_since_epoch = ? WHERE id = ?",
                [(ms(a.created), ms(a.created), i) for i, a in enumerate(self.artifacts, 1)],
            )
        db.close()
        return path

    def _contexts(self, store: metadata_store.MetadataStore) -> None:
        pipelines = sorted({e.pipeline for e in self.executions if e.pipeline})
        runs = sorted({(e.pipeline, e.run) for e in self.executions if e.pipeline and e.run})
        if not pipelines:
            return
        pipe_t = store.put_context_type(pb.ContextType(name="pipeline"))
        ids = store.put_contexts([pb.Context(type_id=pipe_t, name=p) for p in pipelines])
        pipe_id = dict(zip(pipelines, ids, strict=True))
        run_id: dict[tuple[str | None, str | None], int] = {}
        if runs:
            run_t = store.put_context_type(pb.ContextType(name="pipeline_run"))
            rids = store.put_contexts([pb.Context(type_id=run_t, name=f"{p}/{r}") for p, r in runs])
            run_id = dict(zip(runs, rids, strict=True))
            store.put_parent_contexts(
                [pb.ParentContext(child_id=run_id[pr], parent_id=pipe_id[str(pr[0])]) for pr in runs]
            )
        associations = []
        attributions = []
        art_ctx: set[tuple[int, int]] = set()
        by_execution: dict[int, list[_Event]] = {}
        for ev in self.events:
            by_execution.setdefault(ev.execution, []).append(ev)
        for i, e in enumerate(self.executions, 1):
            if not e.pipeline:
                continue
            ctxs = [pipe_id[e.pipeline]] + ([run_id[(e.pipeline, e.run)]] if e.run else [])
            for c in ctxs:
                associations.append(pb.Association(execution_id=i, context_id=c))
                for ev in by_execution.get(i, []):
                    if (ev.artifact, c) not in art_ctx:
                        art_ctx.add((ev.artifact, c))
                        attributions.append(pb.Attribution(artifact_id=ev.artifact, context_id=c))
        store.put_attributions_and_associations(attributions, associations)


def _set_value(value: pb.Value, v: Any) -> None:
    if isinstance(v, bool):
        value.bool_value = v
    elif isinstance(v, int):
        value.int_value = v
    elif isinstance(v, float):
        value.double_value = v
    else:
        value.string_value = str(v)
