// Purpose: Delete every node (and its relationships) that belongs to one store, in batches, the app's
//   summaries of it included (a replaced store has none until `mlprov graphlets` runs again):
//   used by `mlprov load --replace`. Relationships leaving the store's nodes go first, so that no
//   batch has to detach a context with hundreds of thousands of relationships at once; then the
//   nodes (with whatever still points at them). Each statement is sent as an auto-commit statement
//   and commits every $batch rows (halved by `Warehouse.run_batched` when a batch runs out of
//   transaction memory; a rerun deletes what is left).
// Parameters: $store (string), $batch (int: rows per transaction)
// Returns: nothing
MATCH (n)-[r]->()
WHERE (n:Execution OR n:Artifact OR n:Context OR n:Graphlet) AND n.store = $store
CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS;
MATCH (n)
WHERE (n:Execution OR n:Artifact OR n:Context OR n:Graphlet OR n:PipelineSummary OR n:StoreSummary)
  AND n.store = $store
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS;
