// Purpose: One backward hop of a level-by-level reachability search (rule (a) ancestors, and the
//   store-wide "leads to a Trainer" set), for many searches at once. Each frontier entry is an
//   execution x reached by search g; the hop goes x <-INPUT- artifact <-OUTPUT- p and keeps p when
//   p is neither a Trainer (the cut of rule (a)) nor CACHED (re-publications are not lineage), and
//   when the hop respects time (the artifact was written by p no later than x read it).
//   Why this is linear: the caller (features/graphlets.py) keeps a visited set per search and sends
//   only newly reached executions as the next frontier, so every (search, execution) pair is
//   expanded once and no path is ever enumerated; a hop costs O(degree) from an elementId seek.
//   PROFILE (6.2k-node rolling-window trace, 405 frontier rows): NodeByElementIdSeek (405) ->
//   Expand(INPUT) (1,295 rows) -> Filter(:Artifact) -> Expand(OUTPUT) (1,375) -> Filter(kind,
//   state) -> Distinct; 19.6k db hits, i.e. proportional to the frontier's in-degree.
// Parameters: $frontier (list of maps: g int search id, x string execution elementId)
// Returns: one row per distinct (g, x) newly adjacent: g (int), x (elementId of the predecessor)
UNWIND $frontier AS f
MATCH (x:Execution)
WHERE elementId(x) = f.x
MATCH (p:Execution)-[o:OUTPUT]->(:Artifact)-[i:INPUT]->(x)
WHERE coalesce(p.kind, '') <> 'Trainer' AND coalesce(p.state, '') <> 'CACHED'
  AND (o.time IS NULL OR i.time IS NULL OR o.time <= i.time)
RETURN DISTINCT f.g AS g, elementId(p) AS x
