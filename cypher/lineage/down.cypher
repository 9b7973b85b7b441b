// Purpose: One hop of descendant lineage (edges follow the data): the executions that read the
//   given artifacts and the artifacts the given executions wrote. The walk (mlprov.analysis.lineage) calls
//   it once per hop with the frontier only, so its cost is linear in the nodes visited.
// Parameters: $uids (list of execution/artifact uid strings), $skip_cached (bool: leave out CACHED
//   executions, whose OUTPUT events re-publish artifacts an earlier execution wrote)
// Returns: one row per edge: source (uid of the frontier node), uid, node ('Execution' or
//   'Artifact'), kind, state, created, store of the neighbour
UNWIND $uids AS u
CALL (u) {
  MATCH (:Artifact {uid: u})-[:INPUT]->(x:Execution)
  RETURN x
  UNION
  MATCH (:Execution {uid: u})-[:OUTPUT]->(x:Artifact)
  RETURN x
}
WITH u, x
WHERE NOT ($skip_cached AND x:Execution AND x.state = 'CACHED')
RETURN u AS source, x.uid AS uid, CASE WHEN x:Execution THEN 'Execution' ELSE 'Artifact' END AS node,
       x.kind AS kind, x.state AS state, x.created AS created, x.store AS store
