// Purpose: Remember on the :Store node which load the store's graphlets were last fully built from
//   (`graphlets_marker` = load time + builder version), so the next build skips an unchanged store.
// Parameters: $name (string), $marker (string)
// Returns: name (string)
MATCH (s:Store {name: $name})
SET s.graphlets_marker = $marker
RETURN s.name AS name
