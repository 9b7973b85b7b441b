// Purpose: Mark a store as being loaded (status 'loading') before its first write, creating the
//   :Store node on first load. Graph queries treat a store as complete only when status = 'complete'.
// Parameters: $name (string), $props (map: source, kind, schema_version, fingerprint, ...)
// Returns: name (string)
MERGE (s:Store {name: $name})
SET s += $props, s.status = 'loading'
RETURN s.name AS name
