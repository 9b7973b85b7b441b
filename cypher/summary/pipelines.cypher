// Purpose: Write the app's per-pipeline summary (:PipelineSummary {store, pipeline}) for a batch of
//   pipelines: counts, compute cost, first / last time, runs and pushes (as library/pipelines
//   counts them), graphlets pushed / decided, the trainers' model mix and the executions per UTC day
//   and operator kind (the latest prediction is summary/pipeline_predictions, run after this). The
//   pages read these instead of aggregating the trace on every view. Each pipeline's work is bounded
//   by its own trace.
// Parameters: $rows (list of maps: store, pipeline), $now (int: ms since epoch, the write time)
// Returns: written (int: summaries written)
UNWIND $rows AS row
CALL (row) {
  OPTIONAL MATCH (e:Execution {pipeline: row.pipeline})
  WHERE e.store = row.store
  RETURN count(e) AS executions,
         count(CASE WHEN e.kind = 'Trainer' THEN 1 END) AS trainer_runs,
         sum(coalesce(e.cost, 0.0)) AS cost,
         min(e.created) AS first_created,
         max(e.updated) AS last_updated,
         collect(e) AS execs
}
CALL (row) {
  MATCH (e:Execution {pipeline: row.pipeline})
  WHERE e.store = row.store AND e.created IS NOT NULL
  WITH toString(date(datetime({epochMillis: e.created}))) AS day, coalesce(e.kind, 'Custom') AS kind,
       count(e) AS n, sum(coalesce(e.cost, 0.0)) AS c
  ORDER BY day, kind
  RETURN collect(day) AS activity_day, collect(kind) AS activity_kind, collect(n) AS activity_executions,
         collect(c) AS activity_cost
}
CALL (row) {
  OPTIONAL MATCH (g:Graphlet {pipeline: row.pipeline})
  WHERE g.store = row.store
  RETURN count(g) AS graphlets, count(CASE WHEN g.pushed THEN 1 END) AS pushed, count(g.pushed) AS decided,
         sum(coalesce(g.cost, 0.0)) AS graphlet_cost
}
CALL (row) {
  MATCH (g:Graphlet {pipeline: row.pipeline})
  WHERE g.store = row.store
  OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
  WITH coalesce(t.type_short, 'unknown') AS trainer_type, count(g) AS n
  ORDER BY n DESC, trainer_type
  RETURN collect(trainer_type) AS trainer_types, collect(n) AS trainer_type_graphlets
}
MERGE (s:PipelineSummary {store: row.store, pipeline: row.pipeline})
SET s.executions = executions, s.trainer_runs = trainer_runs, s.cost = cost, s.first_created = first_created,
    s.last_updated = last_updated,
    s.runs = size(COLLECT { UNWIND execs AS e MATCH (e)-[:IN_CONTEXT]->(r:Run) RETURN DISTINCT r }),
    s.pushes = size(COLLECT {
      UNWIND execs AS e
      MATCH (e)-[:OUTPUT]->(m:Artifact {kind: 'PushedModel'})
      WHERE e.kind = 'Pusher' AND toBooleanOrNull(coalesce(m.c_pushed, m.p_pushed))
      RETURN DISTINCT m
    }),
    s.graphlets = graphlets, s.pushed = pushed, s.decided = decided, s.graphlet_cost = graphlet_cost,
    s.trainer_types = trainer_types, s.trainer_type_graphlets = trainer_type_graphlets,
    s.activity_day = activity_day, s.activity_kind = activity_kind, s.activity_executions = activity_executions,
    s.activity_cost = activity_cost, s.written_at = $now
RETURN count(s) AS written
