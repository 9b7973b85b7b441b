// Purpose: Delete every node and relationship of the warehouse (constraints and indexes stay).
//   Used by `mlprov reset` and by the tests between cases. Runs in batches, so it must be
//   sent as an auto-commit statement.
// Parameters: none
// Returns: nothing
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
