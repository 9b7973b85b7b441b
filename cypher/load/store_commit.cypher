// Purpose: Finish a load: record watermarks, counts and time, mark the store complete and drop the
//   resume bookkeeping of the finished run (load_steps, load_target).
// Parameters: $name (string), $props (map: wm_*, n_*, dangling_*, loaded_at, load_seconds)
// Returns: name (string)
MATCH (s:Store {name: $name})
SET s += $props, s.status = 'complete'
REMOVE s.load_steps, s.load_target
RETURN s.name AS name
