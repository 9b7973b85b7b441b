// Purpose: First load of a store (it had no :Store node, so none of its nodes exist): CREATE a batch
//   of MLMD executions instead of MERGE; the uniqueness constraint on uid still guards them.
// Parameters: $rows (list of maps: uid string, props map)
// Returns: written (int)
UNWIND $rows AS row
CREATE (n:Execution)
SET n = row.props
RETURN count(n) AS written
