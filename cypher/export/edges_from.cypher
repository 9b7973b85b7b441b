// Purpose: Every relationship leaving the given nodes (the caller keeps those whose target is in
//   the exported node set too).
// Parameters: $ids (list of node elementId strings)
// Returns: one row per relationship: source, target (elementIds), type, props (map)
UNWIND $ids AS id
MATCH (a)
WHERE elementId(a) = id
MATCH (a)-[r]->(b)
RETURN id AS source, elementId(b) AS target, type(r) AS type, properties(r) AS props
