// Purpose: The Trainers one forward hop after the given executions (x -OUTPUT-> artifact -INPUT-> t,
//   t a non-CACHED Trainer that read the artifact at or after x wrote it). A scoped rebuild seeds its
//   "leads to a Trainer" search with them: a descendant of a rebuilt trainer leads to a Trainer exactly
//   when it is an ancestor of one of these (the first Trainer on any path is one hop after a
//   descendant), so the store-wide search is not needed.
// Parameters: $ids (list of execution elementId strings)
// Returns: one row: trainers (list of distinct elementIds)
UNWIND $ids AS id
MATCH (x:Execution)
WHERE elementId(x) = id
MATCH (x)-[o:OUTPUT]->(:Artifact)-[i:INPUT]->(t:Execution {kind: 'Trainer'})
WHERE coalesce(t.state, '') <> 'CACHED' AND (o.time IS NULL OR i.time IS NULL OR o.time <= i.time)
RETURN collect(DISTINCT elementId(t)) AS trainers
