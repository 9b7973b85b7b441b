// Purpose: The stores whose graphlets may be built: only completely loaded stores (status
//   'complete'), optionally one by name, with the load time and the marker of the last full
//   graphlet build (`graphlets_marker`, written by graphlets/store_mark), so an unchanged store is
//   skipped without reading its trace, and the per-pipeline lineage fingerprints of that build
//   (`graphlets_pipelines`), so a changed store rebuilds only its changed pipelines.
// Parameters: $store (string or null: all complete stores)
// Returns: one row per store: name, status, source, loaded_at (ms since epoch), marker (string or
//   null), pipelines (JSON text or null)
MATCH (s:Store)
WHERE $store IS NULL OR s.name = $store
RETURN s.name AS name, s.status AS status, s.source AS source, s.loaded_at AS loaded_at, s.graphlets_marker AS marker,
       s.graphlets_pipelines AS pipelines
ORDER BY name
