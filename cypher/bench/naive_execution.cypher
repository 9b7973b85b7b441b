// Purpose: Naive baseline (benchmarks only): upsert ONE MLMD execution per auto-commit statement.
// Parameters: $uid (string), $props (map)
// Returns: nothing
MERGE (n:Execution {uid: $uid})
SET n = $props
