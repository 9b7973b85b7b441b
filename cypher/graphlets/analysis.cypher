// Purpose: Rule (b) of model graphlets: the data analysis / validation executions (StatisticsGen,
//   SchemaGen, ExampleValidator; not CACHED) that read the given data-span artifacts, with the time they
//   read each. The caller keeps, per graphlet, the readers of the span artifacts held by its ancestors
//   (rule (a)) that read no later than its trainer's end; each artifact is read once per batch of
//   graphlets, so the cost is the sum of the span artifacts' reader counts.
//   The kind test is written `coalesce(s.kind, '') IN [...]` on purpose: it cannot use the
//   execution_kind index, so the planner cannot start from all analysis executions of the database
//   (a plan that re-scans them for every row once statistics go stale).
//   PROFILE (6.2k-node rolling-window trace, 1,779 rows): NodeByElementIdSeek (1,779) ->
//   Expand(INPUT) (12,965 rows: ~7 readers per span, the window size) -> Filter -> Distinct;
//   59k db hits in total, i.e. proportional to the rows' reader counts (profiled when it returned one
//   row per reader; collecting them into one record reads nothing more from the store).
// Parameters: $ids (list of artifact elementId strings)
// Returns: one row: readers (list of the distinct [a, x, time]: a the elementId of the artifact, x the
//   elementId of the analysis execution, time the int ms of the INPUT event or null; one row, not one
//   per reader, because the driver's cost is per record)
UNWIND $ids AS id
MATCH (a:Artifact)
WHERE elementId(a) = id
MATCH (a)-[i:INPUT]->(s:Execution)
WHERE coalesce(s.kind, '') IN ['StatisticsGen', 'SchemaGen', 'ExampleValidator'] AND coalesce(s.state, '') <> 'CACHED'
WITH DISTINCT id AS a, elementId(s) AS x, i.time AS time
RETURN collect([a, x, time]) AS readers
