// Purpose: First load of a store (it had no :Store node, so none of its relationships exist): like
//   load/inputs but CREATEs the INPUT relationships
//   instead of MERGE (only valid when the store has never been loaded: nothing to match).
// Parameters: $rows (list of maps: uid, artifact uid, execution uid, props map)
// Returns: written (int)
UNWIND $rows AS row
MATCH (a:Artifact {uid: row.artifact})
MATCH (e:Execution {uid: row.execution})
CREATE (a)-[r:INPUT]->(e)
SET r = row.props
RETURN count(r) AS written
