// Purpose: First load of a store (it had no :Store node, so none of its relationships exist): like
//   load/attributions but CREATEs the IN_CONTEXT
//   relationships instead of MERGE (only valid when the store has never been loaded).
// Parameters: $rows (list of maps: node Artifact uid, context uid)
// Returns: written (int)
UNWIND $rows AS row
MATCH (x:Artifact {uid: row.node})
MATCH (c:Context {uid: row.context})
CREATE (x)-[r:IN_CONTEXT]->(c)
RETURN count(r) AS written
