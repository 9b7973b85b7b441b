// Purpose: Rule (b) of model graphlets: the data analysis / validation executions (StatisticsGen,
//   SchemaGen, ExampleValidator; not CACHED) that read a data-span artifact held by the ancestors
//   (rule (a)) of a trainer, no later than that trainer's end, even when they are not ancestors.
//   One row per (graphlet, span artifact) pair, deduplicated by the caller, so the cost is the sum
//   of the span artifacts' reader counts: linear in the graphlets' size.
//   PROFILE: NodeByElementIdSeek -> Expand(INPUT) -> Filter(kind, state, time) -> Distinct.
// Parameters: $rows (list of maps: g int graphlet index, a string artifact elementId, end int ms
//   trainer end or null)
// Returns: one row per distinct (g, x): g (int), x (elementId of the analysis execution)
UNWIND $rows AS r
MATCH (a:Artifact)
WHERE elementId(a) = r.a
MATCH (a)-[i:INPUT]->(s:Execution)
WHERE s.kind IN ['StatisticsGen', 'SchemaGen', 'ExampleValidator'] AND coalesce(s.state, '') <> 'CACHED'
  AND (r.end IS NULL OR i.time IS NULL OR i.time <= r.end)
RETURN DISTINCT r.g AS g, elementId(s) AS x
