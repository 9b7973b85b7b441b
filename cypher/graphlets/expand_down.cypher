// Purpose: One forward hop of the level-by-level descendant searches of rule (c), for many executions at
//   once: x -OUTPUT-> artifact -INPUT-> y, keeping y when it is neither a Trainer (paths may not pass
//   another Trainer) nor CACHED, and when the hop respects time (y read the artifact at or after x wrote
//   it). As in expand_up, the caller reads each execution's hop once per batch of searches and keeps one
//   visited set per search: linear, no paths.
//   PROFILE (6.2k-node trace, 200 ids): NodeByElementIdSeek (200) -> Expand(OUTPUT) (200) ->
//   Expand(INPUT) (440) -> Filter(kind, state) -> Distinct; 5.6k db hits
//   (profiled when it returned one row per hop; the grouping reads nothing more from the store).
// Parameters: $ids (list of execution elementId strings)
// Returns: one row: hops (list of [x, ys] for each given execution with at least one hop: x its
//   elementId, ys the list of the distinct elementIds of its successors); one row, not one per execution,
//   because the driver's cost is per record: a few large records decode far faster than many small ones
UNWIND $ids AS id
MATCH (x:Execution)
WHERE elementId(x) = id
MATCH (x)-[o:OUTPUT]->(:Artifact)-[i:INPUT]->(y:Execution)
WHERE coalesce(y.kind, '') <> 'Trainer' AND coalesce(y.state, '') <> 'CACHED'
  AND (o.time IS NULL OR i.time IS NULL OR o.time <= i.time)
WITH id, collect(DISTINCT elementId(y)) AS ys
RETURN collect([id, ys]) AS hops
