// Purpose: Remember on the :Store node which load the store's graphlets were last fully built from
//   (`graphlets_marker` = load time + builder version), so the next build skips an unchanged store,
//   and each pipeline's lineage fingerprint at that build (`graphlets_pipelines`, JSON text: pipeline
//   -> fingerprint, from graphlets/pipeline_fingerprints), so the next build of a changed store
//   rebuilds only the pipelines whose lineage changed.
// Parameters: $name (string), $marker (string), $pipelines (string: JSON object)
// Returns: name (string)
MATCH (s:Store {name: $name})
SET s.graphlets_marker = $marker, s.graphlets_pipelines = $pipelines
RETURN s.name AS name
