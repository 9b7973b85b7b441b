// Purpose: Rule (b) of model graphlets: the data analysis / validation executions (StatisticsGen,
//   SchemaGen, ExampleValidator; not CACHED) that read a data-span artifact held by the ancestors
//   (rule (a)) of a trainer, no later than that trainer's end, even when they are not ancestors.
//   One row per (graphlet, span artifact) pair, deduplicated by the caller, so the cost is the sum
//   of the span artifacts' reader counts: linear in the graphlets' size.
//   The kind test is written `coalesce(s.kind, '') IN [...]` on purpose: it cannot use the
//   execution_kind index, so the planner cannot start from all analysis executions of the database
//   (a plan that re-scans them for every row once statistics go stale).
//   PROFILE (6.2k-node rolling-window trace, 1,779 rows): NodeByElementIdSeek (1,779) ->
//   Expand(INPUT) (12,965 rows: ~7 readers per span, the window size) -> Filter -> Distinct;
//   59k db hits in total, i.e. proportional to the rows' reader counts.
// Parameters: $rows (list of maps: g int graphlet index, a string artifact elementId, end int ms
//   trainer end or null)
// Returns: one row per distinct (g, x): g (int), x (elementId of the analysis execution)
UNWIND $rows AS r
MATCH (a:Artifact)
WHERE elementId(a) = r.a
MATCH (a)-[i:INPUT]->(s:Execution)
WHERE coalesce(s.kind, '') IN ['StatisticsGen', 'SchemaGen', 'ExampleValidator'] AND coalesce(s.state, '') <> 'CACHED'
  AND (r.end IS NULL OR i.time IS NULL OR i.time <= r.end)
RETURN DISTINCT r.g AS g, elementId(s) AS x
