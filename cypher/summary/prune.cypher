// Purpose: Delete the pipeline summaries of one store whose pipeline is no longer loaded (after a
//   reload that dropped it), so the pages list only loaded pipelines.
// Parameters: $store (string), $pipelines (list of the store's pipeline names)
// Returns: deleted (int)
MATCH (s:PipelineSummary)
WHERE s.store = $store AND NOT s.pipeline IN $pipelines
DETACH DELETE s
RETURN count(*) AS deleted
