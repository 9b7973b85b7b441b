// Purpose: Upsert a batch of MLMD executions with operator kind, stage, category, state and cost.
//   `SET n = row.props` replaces all properties (derived `pipeline` is set again afterwards).
// Parameters: $rows (list of maps: uid string, props map)
// Returns: written (int)
UNWIND $rows AS row
MERGE (n:Execution {uid: row.uid})
SET n = row.props
RETURN count(n) AS written
