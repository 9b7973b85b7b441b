// Purpose: One model graphlet with up to $k graphlets before and after it along [:NEXT] (same
//   pipeline, trainer order), each with its properties and the data-span artifacts it holds, so
//   the Graphlet page can compare a graphlet with its history. Chains longer than 10 are cut at 10.
// Parameters: $uid (string: graphlet uid), $k (int: 1 to 10)
// Returns: one row per graphlet: offset (0 for the graphlet, -1 the previous one, +1 the next),
//   uid, props (map of the :Graphlet properties), trainer_type, spans (uids of the span artifacts
//   it holds, sorted)
MATCH (g:Graphlet {uid: $uid})
CALL (g) {
  RETURN g AS h, 0 AS offset
  UNION
  MATCH p = (h:Graphlet)-[:NEXT*1..10]->(g)
  WHERE length(p) <= $k
  RETURN h, -length(p) AS offset
  UNION
  MATCH p = (g)-[:NEXT*1..10]->(h:Graphlet)
  WHERE length(p) <= $k
  RETURN h, length(p) AS offset
}
RETURN offset, h.uid AS uid, properties(h) AS props,
       COLLECT { MATCH (t:Execution {uid: h.trainer_uid}) RETURN t.type_short }[0] AS trainer_type,
       COLLECT { MATCH (h)-[:CONTAINS]->(a:Artifact) WHERE a.span IS NOT NULL RETURN a.uid ORDER BY a.uid } AS spans
ORDER BY offset
