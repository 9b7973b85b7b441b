// Purpose: Record that one step of a store's current load finished (a table, the pipeline
//   derivation, the prune), so that a rerun after a failure skips it (loader/load.py).
// Parameters: $name (string), $step (string)
// Returns: steps (list of the finished steps)
MATCH (s:Store {name: $name})
SET s.load_steps = coalesce(s.load_steps, []) + [$step]
RETURN s.load_steps AS steps
