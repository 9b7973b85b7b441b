// Purpose: Create or rewrite graphlets whose trainer or members changed: upsert the :Graphlet node's
//   properties (uid, store, pipeline, trainer_*, started, ended, n_executions, n_artifacts,
//   signature) and replace its [:CONTAINS] relationships by the given member set. Cost and pushed
//   are derived afterwards (graphlets/costs, graphlets/pushed). Unchanged graphlets are never sent.
//   The member nodes of the batch are sent once each ($nodes) and each graphlet names its members by
//   their index in that list: consecutive graphlets share most of their members, so a batch of 200
//   refers to ~30k members but only a few thousand distinct nodes; each is sought once and the
//   elementId strings are not sent (nor parsed) again for every graphlet holding the node. A node
//   that is gone (a concurrent reload) gets no relationship, as if it had not been named.
// Parameters: $nodes (list of node elementId strings), $rows (list of maps: uid string, props map,
//   members list of indexes into $nodes)
// Returns: written (int)
CALL () {
  UNWIND range(0, size($nodes) - 1) AS k
  OPTIONAL MATCH (x)
  WHERE elementId(x) = $nodes[k]
  WITH k, x
  ORDER BY k
  RETURN collect([x]) AS xs
}
UNWIND $rows AS row
MERGE (g:Graphlet {uid: row.uid})
SET g += row.props
WITH g, row, xs
CALL (g) {
  MATCH (g)-[r:CONTAINS]->()
  DELETE r
}
CALL (g, row, xs) {
  UNWIND row.members AS m
  WITH xs[m][0] AS x
  WHERE x IS NOT NULL
  CREATE (g)-[:CONTAINS]->(x)
}
RETURN count(g) AS written
