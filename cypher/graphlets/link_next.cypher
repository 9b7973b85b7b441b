// Purpose: Relink [:NEXT] between consecutive graphlets of the given pipelines (same store and
//   pipeline, ordered by trainer start time, ties by trainer MLMD id): removes links that are no
//   longer between neighbours and MERGEs the missing ones, so an unchanged pipeline is not written.
//   Graphlets without a pipeline are not linked.
// Parameters: $groups (list of maps: store string, pipeline string)
// Returns: linked (int: consecutive pairs now linked), removed (int: stale links deleted)
UNWIND $groups AS grp
CALL (grp) {
  MATCH (g:Graphlet {pipeline: grp.pipeline})
  WHERE g.store = grp.store
  WITH g
  ORDER BY g.trainer_created, g.trainer_mlmd_id
  WITH collect(g) AS gs
  UNWIND range(0, size(gs) - 1) AS i
  WITH gs[i] AS a, CASE WHEN i + 1 < size(gs) THEN gs[i + 1] END AS b
  CALL (a, b) {
    OPTIONAL MATCH (a)-[r:NEXT]->(other)
    WHERE b IS NULL OR other <> b
    DELETE r
    RETURN count(r) AS removed
  }
  CALL (a, b) {
    WITH a, b
    WHERE b IS NOT NULL
    MERGE (a)-[:NEXT]->(b)
    RETURN count(*) AS linked
  }
  RETURN sum(removed) AS removed, sum(linked) AS linked
}
RETURN sum(linked) AS linked, sum(removed) AS removed
