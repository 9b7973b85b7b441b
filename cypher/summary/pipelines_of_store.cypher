// Purpose: The pipelines of one store (its :Pipeline contexts), whose summaries `mlprov graphlets`
//   writes; read through the :Context store index.
// Parameters: $store (string)
// Returns: one row per pipeline: pipeline (name); in name order
MATCH (c:Context)
WHERE c.store = $store AND c:Pipeline
RETURN c.name AS pipeline
ORDER BY pipeline
