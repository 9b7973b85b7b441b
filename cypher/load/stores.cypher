// Purpose: Every loaded store with its source, schema version, status, counts and last load time.
// Parameters: none
// Returns: one row per store: name, source, schema_version, status, executions, artifacts,
//   contexts, events, dangling, loaded_at (ms since epoch)
MATCH (s:Store)
RETURN s.name AS name, s.source AS source, s.schema_version AS schema_version, s.status AS status,
       s.n_executions AS executions, s.n_artifacts AS artifacts, s.n_contexts AS contexts,
       coalesce(s.n_inputs, 0) + coalesce(s.n_outputs, 0) AS events,
       coalesce(s.dangling_events, 0) + coalesce(s.dangling_links, 0) AS dangling,
       s.loaded_at AS loaded_at
ORDER BY name
