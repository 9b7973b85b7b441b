// Purpose: Write the app's per-store summary (:StoreSummary {store}) from the store's pipeline
//   summaries (summary/pipelines, written first), its executions and its graphlets: pipelines,
//   executions, compute cost and cost per stage, graphlets pushed / decided, models trained per UTC
//   day, and the load time it was computed from (so the app can say when it is stale); the
//   predictions' part is summary/store_predictions, run after this. Reads aggregate (memory per
//   stage and per day, not per execution); writes one node.
// Parameters: $store (string), $now (int: ms since epoch, the write time)
// Returns: store (string), pipelines (int), graphlets (int)
MATCH (st:Store {name: $store})
CALL (st) {
  OPTIONAL MATCH (p:PipelineSummary)
  WHERE p.store = st.name
  RETURN count(p) AS pipelines
}
CALL (st) {
  MATCH (e:Execution)
  WHERE e.store = st.name
  WITH coalesce(e.stage, 'other') AS stage, count(e) AS n, sum(coalesce(e.cost, 0.0)) AS c
  ORDER BY c DESC, stage
  RETURN collect(stage) AS stages, collect(n) AS stage_executions, collect(c) AS stage_cost,
         sum(n) AS executions, sum(c) AS cost
}
CALL (st) {
  OPTIONAL MATCH (g:Graphlet)
  WHERE g.store = st.name
  RETURN count(g) AS graphlets, count(CASE WHEN g.pushed THEN 1 END) AS pushed, count(g.pushed) AS decided,
         sum(coalesce(g.cost, 0.0)) AS graphlet_cost
}
CALL (st) {
  MATCH (g:Graphlet)
  WHERE g.store = st.name AND g.trainer_created IS NOT NULL
  WITH toString(date(datetime({epochMillis: g.trainer_created}))) AS day, count(g) AS models,
       count(CASE WHEN g.pushed THEN 1 END) AS pushed, count(CASE WHEN NOT g.pushed THEN 1 END) AS unpushed
  ORDER BY day
  RETURN collect(day) AS model_days, collect(models) AS models, collect(pushed) AS models_pushed,
         collect(unpushed) AS models_unpushed
}
MERGE (s:StoreSummary {store: st.name})
SET s.loaded_at = st.loaded_at, s.written_at = $now, s.pipelines = pipelines, s.executions = executions,
    s.cost = cost, s.stages = stages, s.stage_executions = stage_executions, s.stage_cost = stage_cost,
    s.graphlets = graphlets, s.pushed = pushed, s.decided = decided,
    s.graphlet_cost = graphlet_cost, s.model_days = model_days, s.models = models,
    s.models_pushed = models_pushed, s.models_unpushed = models_unpushed
RETURN st.name AS store, pipelines, graphlets
