// Purpose: Naive baseline (benchmarks only): upsert ONE MLMD artifact per auto-commit statement.
// Parameters: $uid (string), $props (map)
// Returns: nothing
MERGE (n:Artifact {uid: $uid})
SET n = $props
