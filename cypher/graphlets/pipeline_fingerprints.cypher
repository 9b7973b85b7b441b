// Purpose: Per pipeline of one store, what its graphlets can depend on, summed up: for its executions
//   and for its artifacts the count, the sum and maximum of `updated` (MLMD bumps it on every change
//   of a row, and the loader reads exactly the rows whose update time moved) and the number of their
//   INPUT / OUTPUT events (a new or pruned event changes the degree of both of its ends, so of both
//   pipelines it links). A pipeline whose numbers are those of the last build has no new, changed or
//   deleted execution, artifact or event. Graphlets' own [:CONTAINS] links are not counted.
//   Seeks on the execution_store and artifact_store indexes; degrees come from the node records.
// Parameters: $store (string)
// Returns: one row: pipelines (list of [pipeline (string or null), kind ('e' or 'a'), n, total
//   updated, latest updated, events] per pipeline and kind)
CALL () {
  MATCH (x:Execution)
  WHERE x.store = $store
  RETURN x.pipeline AS pipeline, 'e' AS kind, count(*) AS n, sum(coalesce(x.updated, 0)) AS total,
         max(x.updated) AS latest, sum(COUNT { (x)-[:INPUT|OUTPUT]-() }) AS events
  UNION ALL
  MATCH (x:Artifact)
  WHERE x.store = $store
  RETURN x.pipeline AS pipeline, 'a' AS kind, count(*) AS n, sum(coalesce(x.updated, 0)) AS total,
         max(x.updated) AS latest, sum(COUNT { (x)-[:INPUT|OUTPUT]-() }) AS events
}
RETURN collect([pipeline, kind, n, total, latest, events]) AS pipelines
