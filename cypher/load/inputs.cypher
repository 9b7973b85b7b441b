// Purpose: Upsert input events as (:Artifact)-[:INPUT]->(:Execution), keyed by the event's uid,
//   with event_type, time (ms since epoch) and path (list of step keys/indexes).
// Parameters: $rows (list of maps: uid, artifact uid, execution uid, props map)
// Returns: written (int)
UNWIND $rows AS row
MATCH (a:Artifact {uid: row.artifact})
MATCH (e:Execution {uid: row.execution})
MERGE (a)-[r:INPUT {uid: row.uid}]->(e)
SET r = row.props
RETURN count(r) AS written
