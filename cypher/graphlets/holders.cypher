// Purpose: The graphlets that hold any of the given executions (whose cost shares change when the
//   number of graphlets holding one of them changes).
// Parameters: $ids (list of execution elementId strings)
// Returns: one row per distinct graphlet: uid
UNWIND $ids AS eid
MATCH (x:Execution)
WHERE elementId(x) = eid
MATCH (g:Graphlet)-[:CONTAINS]->(x)
RETURN DISTINCT g.uid AS uid
