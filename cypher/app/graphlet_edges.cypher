// Purpose: The data edges inside one model graphlet (artifact read by a member execution,
//   execution wrote a member artifact), for drawing its subgraph; at most $limit edges.
// Parameters: $uid (string: graphlet uid), $limit (int)
// Returns: one row per edge: source (uid), target (uid), rel ('INPUT' or 'OUTPUT')
MATCH (g:Graphlet {uid: $uid})-[:CONTAINS]->(x:Execution)
CALL (g, x) {
  MATCH (a:Artifact)-[:INPUT]->(x)
  WHERE (g)-[:CONTAINS]->(a)
  RETURN a.uid AS source, x.uid AS target, 'INPUT' AS rel
  UNION ALL
  MATCH (x)-[:OUTPUT]->(a:Artifact)
  WHERE (g)-[:CONTAINS]->(a)
  RETURN x.uid AS source, a.uid AS target, 'OUTPUT' AS rel
}
RETURN source, target, rel
ORDER BY source, target
LIMIT $limit
