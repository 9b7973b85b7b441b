// Purpose: One backward hop of the level-by-level reachability searches (rule (a) ancestors, and the
//   store-wide "leads to a Trainer" set), for many executions at once. For each execution x the hop goes
//   x <-INPUT- artifact <-OUTPUT- p and keeps p when p is neither a Trainer (the cut of rule (a)) nor
//   CACHED (re-publications are not lineage), and when the hop respects time (the artifact was written by
//   p no later than x read it).
//   Why this is linear: the caller (graphlets/builder.py) reads each execution's hop once per batch of
//   searches and keeps a visited set per search, so every execution is expanded once however many
//   searches reach it and no path is ever enumerated; a hop costs O(degree) from an elementId seek.
//   PROFILE (6.2k-node rolling-window trace, 405 ids): NodeByElementIdSeek (405) -> Expand(INPUT)
//   (1,295 rows) -> Filter(:Artifact) -> Expand(OUTPUT) (1,375) -> Filter(kind, state) -> Distinct;
//   19.6k db hits, i.e. proportional to the ids' in-degree (profiled when it returned one row per hop;
//   the grouping into one record reads nothing more from the store).
// Parameters: $ids (list of execution elementId strings)
// Returns: one row: hops (list of [x, ys] for each given execution with at least one hop: x its
//   elementId, ys the list of the distinct elementIds of its predecessors); one row, not one per execution,
//   because the driver's cost is per record: a few large records decode far faster than many small ones
UNWIND $ids AS id
MATCH (x:Execution)
WHERE elementId(x) = id
MATCH (p:Execution)-[o:OUTPUT]->(:Artifact)-[i:INPUT]->(x)
WHERE coalesce(p.kind, '') <> 'Trainer' AND coalesce(p.state, '') <> 'CACHED'
  AND (o.time IS NULL OR i.time IS NULL OR o.time <= i.time)
WITH id, collect(DISTINCT elementId(p)) AS ys
RETURN collect([id, ys]) AS hops
