// Purpose: The trace of one pipeline: its executions and every artifact they read or wrote, in
//   time order (creation time, executions before artifacts on ties, then MLMD id).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $pipeline (string: pipeline name), $store (string, optional: every store with
//   that pipeline name)
// Returns: one row per node: time (ms since epoch), node ('Execution' or 'Artifact'), uid, store,
//   kind, state, cost (executions), uri and span (artifacts), inputs and outputs (executions:
//   number of artifacts read / written)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
CALL (st) {
  MATCH (e:Execution {pipeline: $pipeline})
  WHERE e.store = st.name
  RETURN e AS n
  UNION
  MATCH (e:Execution {pipeline: $pipeline})-[:INPUT|OUTPUT]-(a:Artifact)
  WHERE e.store = st.name
  RETURN a AS n
}
WITH n, n:Execution AS is_execution
RETURN n.created AS time,
       CASE WHEN is_execution THEN 'Execution' ELSE 'Artifact' END AS node,
       n.uid AS uid, n.store AS store, n.kind AS kind, n.state AS state,
       CASE WHEN is_execution THEN n.cost END AS cost,
       CASE WHEN is_execution THEN null ELSE n.uri END AS uri,
       CASE WHEN is_execution THEN null ELSE n.span END AS span,
       CASE WHEN is_execution THEN COUNT { (n)<-[:INPUT]-() } END AS inputs,
       CASE WHEN is_execution THEN COUNT { (n)-[:OUTPUT]->() } END AS outputs
ORDER BY time, node DESC, n.store, n.mlmd_id
