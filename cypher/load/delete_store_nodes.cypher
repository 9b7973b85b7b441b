// Purpose: Delete every node (and its relationships) that belongs to one store, in batches:
//   used by `mlprov load --replace`. Sent as an auto-commit statement.
// Parameters: $store (string)
// Returns: nothing
MATCH (n)
WHERE (n:Execution OR n:Artifact OR n:Context OR n:Graphlet) AND n.store = $store
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
