// Purpose: Derive each artifact's `pipeline` (name of the :Pipeline context it is attributed to) for
//   the artifacts of a store that lack it, as load/execution_pipelines does for executions. Artifacts
//   in no pipeline context keep it null. Runs in bounded transactions of $batch artifacts (an
//   auto-commit statement, `Warehouse.run_batched`); a rerun continues where the committed batches
//   stopped. The `pipeline IS NULL` test sits inside the subquery (outside it the planner buffers
//   every artifact of the store: Eager).
// Parameters: $store (string), $batch (int: artifacts per transaction)
// Returns: nothing
MATCH (a:Artifact {store: $store})
CALL (a) {
  WITH a
  WHERE a.pipeline IS NULL
  MATCH (a)-[:IN_CONTEXT]->(p:Pipeline)
  WITH a, min(p.name) AS pipeline
  SET a.pipeline = pipeline
} IN TRANSACTIONS OF $batch ROWS
