// Purpose: Naive baseline (benchmarks only): upsert ONE output event as (:Execution)-[:OUTPUT]->(:Artifact)
//   per auto-commit statement.
// Parameters: $uid (event uid), $artifact (uid), $execution (uid), $props (map)
// Returns: nothing
MATCH (e:Execution {uid: $execution})
MATCH (a:Artifact {uid: $artifact})
MERGE (e)-[r:OUTPUT {uid: $uid}]->(a)
SET r = $props
