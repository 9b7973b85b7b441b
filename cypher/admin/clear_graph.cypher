// Purpose: Delete every node and relationship of the warehouse (constraints and indexes stay).
//   Used by `mlprov reset` and by the tests between cases. Relationships go first, in batches, so
//   that no batch has to detach a context node with hundreds of thousands of relationships at once
//   (DETACH DELETE of 10,000 nodes ran out of transaction memory on the `bench` corpus). Each
//   statement commits every $batch rows, so each is sent as an auto-commit statement
//   (`Warehouse.run_batched` halves $batch when a batch runs out of transaction memory).
// Parameters: $batch (int: rows per transaction)
// Returns: nothing
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS;
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS;
