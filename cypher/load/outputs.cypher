// Purpose: Upsert output events as (:Execution)-[:OUTPUT]->(:Artifact), keyed by the event's uid,
//   with event_type, time (ms since epoch) and path (list of step keys/indexes).
// Parameters: $rows (list of maps: uid, artifact uid, execution uid, props map)
// Returns: written (int)
UNWIND $rows AS row
MATCH (e:Execution {uid: row.execution})
MATCH (a:Artifact {uid: row.artifact})
MERGE (e)-[r:OUTPUT {uid: row.uid}]->(a)
SET r = row.props
RETURN count(r) AS written
