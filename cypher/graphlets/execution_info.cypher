// Purpose: What the graphlet builder needs to know about executions it reached: identity, times,
//   state, and the elementIds of every input and output artifact (what the builder needs of each
//   artifact is read once per artifact, by graphlets/artifact_info). Fetched once per execution per
//   build and cached by the caller, so shared executions cost nothing more.
// Parameters: $ids (list of execution elementId strings)
// Returns: one row: executions (list of [id, uid, kind, state, created, updated, artifacts] per
//   execution found, artifacts the list of its artifacts' elementId strings; one row, not one per
//   execution, because the driver's cost is per record)
UNWIND $ids AS eid
MATCH (x:Execution)
WHERE elementId(x) = eid
CALL (x) {
  OPTIONAL MATCH (x)-[:OUTPUT]->(a:Artifact)
  RETURN collect(DISTINCT a) AS outs
}
CALL (x) {
  OPTIONAL MATCH (a:Artifact)-[:INPUT]->(x)
  RETURN collect(DISTINCT a) AS ins
}
RETURN collect([eid, x.uid, x.kind, x.state, x.created, x.updated, [a IN outs + ins | elementId(a)]]) AS executions
