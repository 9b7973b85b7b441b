// Purpose: Every relationship that starts at a node of one store, with its type and properties.
// Parameters: $store (string)
// Returns: one row per relationship: source uid, type, target uid, props (map)
MATCH (a)-[r]->(b)
WHERE (a:Execution OR a:Artifact OR a:Context) AND a.store = $store
RETURN a.uid AS source, type(r) AS type, b.uid AS target, properties(r) AS props
