// Purpose: One forward hop of the level-by-level descendant search of rule (c), for many searches
//   at once: x -OUTPUT-> artifact -INPUT-> y, keeping y when it is neither a Trainer (paths may not
//   pass another Trainer) nor CACHED, and when the hop respects time (y read the artifact at or
//   after x wrote it). As in expand_up, the caller keeps one visited set per search and sends only
//   new executions, so each (search, execution) pair is expanded once: linear, no paths.
//   PROFILE (6.2k-node trace, 200 frontier rows): NodeByElementIdSeek (200) -> Expand(OUTPUT)
//   (200) -> Expand(INPUT) (440) -> Filter(kind, state) -> Distinct; 5.6k db hits.
// Parameters: $frontier (list of maps: g int search id, x string execution elementId)
// Returns: one row per distinct (g, x) newly adjacent: g (int), x (elementId of the successor)
UNWIND $frontier AS f
MATCH (x:Execution)
WHERE elementId(x) = f.x
MATCH (x)-[o:OUTPUT]->(:Artifact)-[i:INPUT]->(y:Execution)
WHERE coalesce(y.kind, '') <> 'Trainer' AND coalesce(y.state, '') <> 'CACHED'
  AND (o.time IS NULL OR i.time IS NULL OR o.time <= i.time)
RETURN DISTINCT f.g AS g, elementId(y) AS x
