// Purpose: Naive baseline (benchmarks only): upsert ONE MLMD context per statement, sent as its
//   own auto-commit transaction, the way a first row-at-a-time loader does it.
// Parameters: $uid (string), $props (map), $labels (list of strings: Pipeline / Run or none)
// Returns: nothing
MERGE (n:Context {uid: $uid})
SET n = $props
SET n:$($labels)
