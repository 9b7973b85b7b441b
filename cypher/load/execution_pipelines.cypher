// Purpose: Derive each execution's `pipeline` (name of the :Pipeline context it belongs to) for the
//   executions of a store that lack it. Executions in no pipeline context keep it null. Runs in
//   bounded transactions of $batch executions (an auto-commit statement, `Warehouse.run_batched`);
//   it only touches executions still without a pipeline, so a rerun after a failure continues where
//   the committed batches stopped. The `pipeline IS NULL` test sits inside the subquery: outside,
//   it conflicts with the SET and the planner buffers every execution of the store (Eager).
// Parameters: $store (string), $batch (int: executions per transaction)
// Returns: nothing
MATCH (e:Execution {store: $store})
CALL (e) {
  WITH e
  WHERE e.pipeline IS NULL
  MATCH (e)-[:IN_CONTEXT]->(p:Pipeline)
  WITH e, min(p.name) AS pipeline
  SET e.pipeline = pipeline
} IN TRANSACTIONS OF $batch ROWS
