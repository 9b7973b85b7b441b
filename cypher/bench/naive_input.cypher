// Purpose: Naive baseline (benchmarks only): upsert ONE input event as (:Artifact)-[:INPUT]->(:Execution)
//   per auto-commit statement.
// Parameters: $uid (event uid), $artifact (uid), $execution (uid), $props (map)
// Returns: nothing
MATCH (a:Artifact {uid: $artifact})
MATCH (e:Execution {uid: $execution})
MERGE (a)-[r:INPUT {uid: $uid}]->(e)
SET r = $props
