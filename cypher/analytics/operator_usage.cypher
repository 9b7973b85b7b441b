// Purpose: Operator usage and compute by operator (the study's §3): for each operator kind, how
//   many pipelines run it at least once (its share of all pipelines), its executions and their
//   compute cost with its share of the corpus cost; the kind's stage and category let the cost be
//   summed by stage. Executions without a pipeline count in `executions` and `cost` only.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per (kind, stage): kind, stage ('other' when none), category, pipelines (int),
//   pipeline_share (float, 0..1 of all pipelines), executions (int), cost (seconds), cost_share
//   (float, 0..1 of all execution cost); most expensive first
OPTIONAL MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
WITH collect(st.name) AS stores
CALL (stores) {
  UNWIND stores AS store
  MATCH (p:Context {store: store})
  WHERE p:Pipeline
  RETURN count(p) AS all_pipelines
}
CALL (stores) {
  UNWIND stores AS store
  MATCH (e:Execution {store: store})
  RETURN sum(toFloat(coalesce(e.cost, 0.0))) AS all_cost
}
UNWIND stores AS store
MATCH (e:Execution {store: store})
WITH all_pipelines, all_cost, coalesce(e.kind, 'Custom') AS kind, coalesce(e.stage, 'other') AS stage,
     e.category AS category, count(e) AS executions, sum(toFloat(coalesce(e.cost, 0.0))) AS cost,
     count(DISTINCT CASE WHEN e.pipeline IS NULL THEN null ELSE [e.store, e.pipeline] END) AS pipelines
RETURN kind, stage, category, pipelines,
       CASE WHEN all_pipelines = 0 THEN null ELSE toFloat(pipelines) / all_pipelines END AS pipeline_share,
       executions, cost, CASE WHEN all_cost = 0.0 THEN null ELSE cost / all_cost END AS cost_share
ORDER BY cost DESC, kind, stage
