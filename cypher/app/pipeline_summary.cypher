// Purpose: One pipeline's summary (:PipelineSummary), with its executions per UTC day and operator
//   kind, for the Pipelines page's header and whole-life chart. Index-backed.
// Parameters: $store (string), $pipeline (string)
// Returns: at most one row: props (map of the summary's properties)
MATCH (s:PipelineSummary {pipeline: $pipeline})
WHERE s.store = $store
RETURN properties(s) AS props
