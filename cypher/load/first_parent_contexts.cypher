// Purpose: First load of a store (it had no :Store node, so none of its relationships exist): like
//   load/parent_contexts but CREATEs the CHILD_OF
//   relationships instead of MERGE (only valid when the store has never been loaded).
// Parameters: $rows (list of maps: child uid, parent uid)
// Returns: written (int)
UNWIND $rows AS row
MATCH (c:Context {uid: row.child})
MATCH (p:Context {uid: row.parent})
CREATE (c)-[r:CHILD_OF]->(p)
RETURN count(r) AS written
