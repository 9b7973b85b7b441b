// Purpose: Every loaded store with its load bookkeeping and the app's store summary (:StoreSummary,
//   written by `mlprov graphlets` / `mlprov predict`): what the sidebar, the Overview page and the
//   app's cache key read on every page run. Index-backed (the :Store name constraint), one row per
//   store.
// Parameters: none
// Returns: one row per store: name, source, schema_version, status, executions, artifacts, contexts,
//   events, dangling, loaded_at (ms since epoch), summary (map of the :StoreSummary properties, or
//   null before `mlprov graphlets` wrote it)
MATCH (s:Store)
USING INDEX s:Store(name)
WHERE s.name IS NOT NULL
OPTIONAL MATCH (m:StoreSummary {store: s.name})
RETURN s.name AS name, s.source AS source, s.schema_version AS schema_version, s.status AS status,
       s.n_executions AS executions, s.n_artifacts AS artifacts, s.n_contexts AS contexts,
       coalesce(s.n_inputs, 0) + coalesce(s.n_outputs, 0) AS events,
       coalesce(s.dangling_events, 0) + coalesce(s.dangling_links, 0) AS dangling,
       s.loaded_at AS loaded_at, properties(m) AS summary
ORDER BY name
