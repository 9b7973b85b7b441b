// Purpose: Upsert a batch of MLMD artifacts (uri, state, span, properties).
// Parameters: $rows (list of maps: uid string, props map)
// Returns: written (int)
UNWIND $rows AS row
MERGE (n:Artifact {uid: row.uid})
SET n = row.props
RETURN count(n) AS written
