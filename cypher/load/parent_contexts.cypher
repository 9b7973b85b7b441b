// Purpose: Link child contexts to parents (MLMD ParentContext, e.g. pipeline_run → pipeline)
//   as (:Context)-[:CHILD_OF]->(:Context).
// Parameters: $rows (list of maps: child uid, parent uid)
// Returns: written (int)
UNWIND $rows AS row
MATCH (c:Context {uid: row.child})
MATCH (p:Context {uid: row.parent})
MERGE (c)-[r:CHILD_OF]->(p)
RETURN count(r) AS written
