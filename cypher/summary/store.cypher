// Purpose: Write the app's per-store summary (:StoreSummary {store}) from the store's pipeline
//   summaries (summary/pipelines, written first), its executions and its graphlets: pipelines,
//   executions, compute cost and cost per stage, graphlets pushed / decided / predicted, models
//   trained per UTC day, the decided graphlets' predictions as a histogram on the Predictor page's
//   threshold grid (0.00, 0.01, … 1.00: per bin, the graphlets pushed, unpushed and the unpushed
//   cost whose push probability reaches that threshold but not the next, so the freshness–waste
//   curve is a cumulative sum) and per model version, and the load time it was computed from (so
//   the app can say when it is stale). Reads aggregate (memory per stage, per day, per bin and per
//   model version, not per execution); writes one node.
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
         count(g.push_probability) AS predicted, sum(coalesce(g.cost, 0.0)) AS graphlet_cost
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
CALL (st) {
  MATCH (g:Graphlet)
  WHERE g.store = st.name AND g.pushed IS NOT NULL AND g.push_probability IS NOT NULL
  WITH g, toInteger(floor(g.push_probability * 100)) AS b
  // the highest grid threshold i / 100 with probability ≥ i / 100, compared as the page compares (the
  // product can round across an integer: 0.29 * 100 = 28.999…)
  WITH g, CASE WHEN g.push_probability >= (b + 1) / 100.0 THEN b + 1
               WHEN g.push_probability < b / 100.0 THEN b - 1
               ELSE b END AS bin
  WITH bin, count(CASE WHEN g.pushed THEN 1 END) AS pushed, count(CASE WHEN NOT g.pushed THEN 1 END) AS unpushed,
       sum(CASE WHEN g.pushed THEN 0.0 ELSE toFloat(coalesce(g.cost, 0.0)) END) AS unpushed_cost
  ORDER BY bin
  RETURN collect(bin) AS prediction_bins, collect(pushed) AS prediction_pushed,
         collect(unpushed) AS prediction_unpushed, collect(unpushed_cost) AS prediction_unpushed_cost
}
CALL (st) {
  MATCH (g:Graphlet)
  WHERE g.store = st.name AND g.pushed IS NOT NULL AND g.push_probability IS NOT NULL
  WITH coalesce(g.model_version, 'unknown') AS version, count(g) AS n
  ORDER BY version
  RETURN collect(version) AS prediction_versions, collect(n) AS prediction_version_graphlets
}
MERGE (s:StoreSummary {store: st.name})
SET s.loaded_at = st.loaded_at, s.written_at = $now, s.pipelines = pipelines, s.executions = executions,
    s.cost = cost, s.stages = stages, s.stage_executions = stage_executions, s.stage_cost = stage_cost,
    s.graphlets = graphlets, s.pushed = pushed, s.decided = decided, s.predicted = predicted,
    s.graphlet_cost = graphlet_cost, s.model_days = model_days, s.models = models,
    s.models_pushed = models_pushed, s.models_unpushed = models_unpushed, s.prediction_bins = prediction_bins,
    s.prediction_pushed = prediction_pushed, s.prediction_unpushed = prediction_unpushed,
    s.prediction_unpushed_cost = prediction_unpushed_cost, s.prediction_versions = prediction_versions,
    s.prediction_version_graphlets = prediction_version_graphlets
RETURN st.name AS store, pipelines, graphlets
