// Purpose: Every [:NEXT] link between graphlets with its properties (the lag-1 similarities written
//   by features/next_similarity), for the golden-output test and exports.
// Parameters: none
// Returns: one row per link: from (uid), to (uid), props (map of the link's properties)
MATCH (g:Graphlet)-[r:NEXT]->(h:Graphlet)
RETURN g.uid AS from, h.uid AS to, properties(r) AS props
ORDER BY from, to
