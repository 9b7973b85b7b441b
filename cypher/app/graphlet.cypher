// Purpose: One model graphlet's own properties (cost per stage, outcome, any prediction and
//   per-feature contributions written back) with its neighbours along [:NEXT].
// Parameters: $uid (string: graphlet uid)
// Returns: at most one row: props (map of the :Graphlet properties), previous, next (uids or null),
//   trainer (map of the trainer execution's properties or null)
MATCH (g:Graphlet {uid: $uid})
RETURN properties(g) AS props,
       COLLECT { MATCH (p:Graphlet)-[:NEXT]->(g) RETURN p.uid }[0] AS previous,
       COLLECT { MATCH (g)-[:NEXT]->(n:Graphlet) RETURN n.uid }[0] AS next,
       COLLECT { MATCH (t:Execution {uid: g.trainer_uid}) RETURN properties(t) }[0] AS trainer
