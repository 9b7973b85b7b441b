// Purpose: Create or rewrite graphlets whose trainer or members changed: upsert the :Graphlet node's
//   properties (uid, store, pipeline, trainer_*, started, ended, n_executions, n_artifacts,
//   signature) and replace its [:CONTAINS] relationships by the given member set. Cost and pushed
//   are derived afterwards (graphlets/costs, graphlets/pushed). Unchanged graphlets are never sent.
// Parameters: $rows (list of maps: uid string, props map, members list of node elementId strings)
// Returns: written (int)
UNWIND $rows AS row
MERGE (g:Graphlet {uid: row.uid})
SET g += row.props
WITH g, row
CALL (g) {
  MATCH (g)-[r:CONTAINS]->()
  DELETE r
}
CALL (g, row) {
  UNWIND row.members AS m
  MATCH (x)
  WHERE elementId(x) = m
  CREATE (g)-[:CONTAINS]->(x)
}
RETURN count(g) AS written
