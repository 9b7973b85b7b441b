// Purpose: First load of a store (it had no :Store node, so none of its relationships exist): like
//   load/outputs but CREATEs the OUTPUT relationships
//   instead of MERGE (only valid when the store has never been loaded).
// Parameters: $rows (list of maps: uid, artifact uid, execution uid, props map)
// Returns: written (int)
UNWIND $rows AS row
MATCH (e:Execution {uid: row.execution})
MATCH (a:Artifact {uid: row.artifact})
CREATE (e)-[r:OUTPUT]->(a)
SET r = row.props
RETURN count(r) AS written
