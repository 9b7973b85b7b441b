// Purpose: Every pipeline (MLMD pipeline context) with its executions, runs, trainer runs, pushes,
//   compute cost and active period. InteractiveContext notebooks record one pipeline per session.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per pipeline: store, pipeline, executions, runs, trainer_runs, pushes, cost
//   (seconds), first_created, last_updated (ms since epoch); ordered by store, pipeline
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (p:Pipeline)
WHERE p.store = st.name
CALL (p) {
  OPTIONAL MATCH (e:Execution {pipeline: p.name})
  WHERE e.store = p.store
  RETURN count(e) AS executions,
         count(CASE WHEN e.kind = 'Trainer' THEN 1 END) AS trainer_runs,
         sum(coalesce(e.cost, 0.0)) AS cost,
         min(e.created) AS first_created,
         max(e.updated) AS last_updated,
         collect(e) AS execs
}
RETURN p.store AS store, p.name AS pipeline, executions,
       size(COLLECT { UNWIND execs AS e MATCH (e)-[:IN_CONTEXT]->(r:Run) RETURN DISTINCT r }) AS runs,
       trainer_runs,
       size(COLLECT {
         UNWIND execs AS e
         MATCH (e)-[:OUTPUT]->(m:Artifact {kind: 'PushedModel'})
         WHERE e.kind = 'Pusher' AND toBooleanOrNull(coalesce(m.c_pushed, m.p_pushed))
         RETURN DISTINCT m
       }) AS pushes,
       cost, first_created, last_updated
ORDER BY store, pipeline
