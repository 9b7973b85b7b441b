// Purpose: Link executions to their contexts (MLMD Association) as (:Execution)-[:IN_CONTEXT]->(:Context).
// Parameters: $rows (list of maps: node execution uid, context uid)
// Returns: written (int)
UNWIND $rows AS row
MATCH (x:Execution {uid: row.node})
MATCH (c:Context {uid: row.context})
MERGE (x)-[r:IN_CONTEXT]->(c)
RETURN count(r) AS written
