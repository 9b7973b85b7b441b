// Purpose: Compute cost and execution count per pipeline stage (ingest, data-validation,
//   preprocessing, training, model-validation, deployment; 'other' for executions without a
//   stage), the study's cost-by-stage breakdown.
// Parameters: $store (string, optional: all stores)
// Returns: one row per stage: stage, executions, cost (seconds); most expensive first
MATCH (e:Execution)
WHERE $store IS NULL OR e.store = $store
RETURN coalesce(e.stage, 'other') AS stage, count(e) AS executions, sum(coalesce(e.cost, 0.0)) AS cost
ORDER BY cost DESC, stage
