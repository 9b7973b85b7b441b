// Purpose: Finish a load: record watermarks, counts and time, and mark the store complete.
// Parameters: $name (string), $props (map: wm_*, n_*, dangling_*, loaded_at, load_seconds)
// Returns: name (string)
MATCH (s:Store {name: $name})
SET s += $props, s.status = 'complete'
RETURN s.name AS name
