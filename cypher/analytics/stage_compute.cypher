// Purpose: Operator usage and compute by the study's six stages (Fig. 6/7): data ingestion
//   (ExampleGen), data analysis & validation (StatisticsGen, SchemaGen, ExampleValidator), data
//   pre-processing (Transform), training (Trainer, Tuner), model analysis & validation (Evaluator,
//   ModelValidator, InfraValidator), model deployment (Pusher) — the operator kinds' `stage` — and
//   'other' for executions without one: each stage's executions, their compute with its share of
//   all execution cost, and how many pipelines run the stage at least once.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per stage: stage, executions (int), cost (seconds), cost_share (float, 0..1 of
//   all execution cost, null when there is none), pipelines (int), pipeline_share (float, 0..1 of
//   all pipelines, null when there are none); most expensive first
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
WITH all_pipelines, all_cost, coalesce(e.stage, 'other') AS stage, count(e) AS executions,
     sum(toFloat(coalesce(e.cost, 0.0))) AS cost,
     count(DISTINCT CASE WHEN e.pipeline IS NULL THEN null ELSE [e.store, e.pipeline] END) AS pipelines
RETURN stage, executions, cost, CASE WHEN all_cost = 0.0 THEN null ELSE cost / all_cost END AS cost_share,
       pipelines, CASE WHEN all_pipelines = 0 THEN null ELSE toFloat(pipelines) / all_pipelines END AS pipeline_share
ORDER BY cost DESC, stage
