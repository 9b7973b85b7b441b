// Purpose: Pipeline lifespan and training cadence (the study's §3): for each pipeline, the span of
//   time its executions cover (first creation to last update) and how many models it trained, with
//   models per day = model graphlets / max(lifespan in days, 1).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per pipeline: store, pipeline, executions, first, last (ms since epoch),
//   lifespan_days (float), models (int: model graphlets), models_per_day (float); ordered by store,
//   pipeline
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (p:Pipeline)
WHERE p.store = st.name
CALL (p) {
  MATCH (e:Execution {pipeline: p.name})
  WHERE e.store = p.store
  RETURN count(e) AS executions, min(e.created) AS first, max(coalesce(e.updated, e.created)) AS last
}
WITH p, executions, first, last, toFloat(last - first) / 86400000.0 AS lifespan_days,
     COUNT { MATCH (g:Graphlet {pipeline: p.name}) WHERE g.store = p.store } AS models
WHERE executions > 0
RETURN p.store AS store, p.name AS pipeline, executions, first, last, lifespan_days, models,
       models / CASE WHEN lifespan_days < 1.0 THEN 1.0 ELSE lifespan_days END AS models_per_day
ORDER BY store, pipeline
