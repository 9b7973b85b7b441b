// Purpose: Benchmark prototype: first-load variant of load/associations that CREATEs the IN_CONTEXT
//   relationships instead of MERGE (only valid when the store has never been loaded).
// Parameters: $rows (list of maps: node Execution uid, context uid)
// Returns: written (int)
UNWIND $rows AS row
MATCH (x:Execution {uid: row.node})
MATCH (c:Context {uid: row.context})
CREATE (x)-[r:IN_CONTEXT]->(c)
RETURN count(r) AS written
