// Purpose: Link artifacts to their contexts (MLMD Attribution) as (:Artifact)-[:IN_CONTEXT]->(:Context).
// Parameters: $rows (list of maps: node artifact uid, context uid)
// Returns: written (int)
UNWIND $rows AS row
MATCH (x:Artifact {uid: row.node})
MATCH (c:Context {uid: row.context})
MERGE (x)-[r:IN_CONTEXT]->(c)
RETURN count(r) AS written
