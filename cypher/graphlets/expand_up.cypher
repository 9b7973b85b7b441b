// Purpose: One backward hop of the level-by-level reachability searches (rule (a) ancestors, and the
//   store-wide "leads to a Trainer" set), for many executions at once. For each execution x the hop goes
//   x <-INPUT- artifact <-OUTPUT- p and keeps p when p is neither a Trainer (the cut of rule (a)) nor
//   CACHED (re-publications are not lineage), and when the hop respects time (the artifact was written by
//   p no later than x read it).
//   Why this is linear: the caller (graphlets/builder.py) reads each execution's hop once per batch of
//   searches and keeps a visited set per search, so every execution is expanded once however many
//   searches reach it and no path is ever enumerated; a hop costs O(degree) from an elementId seek.
//   The writers of each artifact are read once per statement, not once per reader: the executions of a
//   chunk share their inputs (a span feeds a window of Transforms, one Schema feeds them all), so the
//   INPUT hops are grouped by artifact first and each artifact's OUTPUT side (the expansion that walks its
//   whole relationship chain, and the writer's kind and state) is read once; the time test then pairs
//   each reader with each writer.
//   PROFILE (`bench`, 300 pipelines, 5,000 ids): NodeByElementIdSeek (5,000) -> Expand(INPUT) (34,325
//   rows) -> aggregation by artifact (4,000) -> Expand(OUTPUT) (4,182) -> Filter(kind, state) -> pairs
//   (32,812) -> Distinct; 232k db hits (633k when each INPUT hop expanded its artifact's writers again:
//   Expand(OUTPUT) 37,314 rows, 330k hits), same hops.
// Parameters: $ids (list of execution elementId strings)
// Returns: one row: hops (list of [x, ys] for each given execution with at least one hop: x its
//   elementId, ys the list of the distinct elementIds of its predecessors); one row, not one per execution,
//   because the driver's cost is per record: a few large records decode far faster than many small ones
UNWIND $ids AS id
MATCH (x:Execution)
WHERE elementId(x) = id
MATCH (a:Artifact)-[i:INPUT]->(x)
WITH a, collect([id, i.time]) AS readers
CALL (a) {
  MATCH (p:Execution)-[o:OUTPUT]->(a)
  WHERE coalesce(p.kind, '') <> 'Trainer' AND coalesce(p.state, '') <> 'CACHED'
  RETURN collect([elementId(p), o.time]) AS writers
}
UNWIND readers AS r
UNWIND writers AS w
WITH r[0] AS id, w[0] AS p
WHERE w[1] IS NULL OR r[1] IS NULL OR w[1] <= r[1]
WITH id, collect(DISTINCT p) AS ys
RETURN collect([id, ys]) AS hops
