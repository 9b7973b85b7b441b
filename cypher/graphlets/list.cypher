// Purpose: The graphlets of one store (or of all stores) with their members and successor, for the
//   UI, exports and tests.
// Parameters: $store (string or null: all stores)
// Returns: one row per graphlet: graphlet (map of properties), members (list of member uids),
//   next (uid of the [:NEXT] graphlet or null)
MATCH (g:Graphlet)
WHERE $store IS NULL OR g.store = $store
RETURN properties(g) AS graphlet,
       COLLECT { MATCH (g)-[:CONTAINS]->(x) RETURN x.uid ORDER BY x.uid } AS members,
       COLLECT { MATCH (g)-[:NEXT]->(h) RETURN h.uid }[0] AS next
ORDER BY g.store, g.trainer_created, g.trainer_mlmd_id
