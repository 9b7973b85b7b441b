// Purpose: The stores holding a pipeline of the given name (an export must name exactly one).
// Parameters: $pipeline (string: pipeline name)
// Returns: one row per pipeline context: store, uid
MATCH (p:Pipeline {name: $pipeline})
RETURN p.store AS store, p.uid AS uid
ORDER BY store
