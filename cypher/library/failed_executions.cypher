// Purpose: Failed executions (MLMD state FAILED) with their pipeline and run, newest first.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per failed execution: store, pipeline, run (run context name or null), uid,
//   kind, type, created, updated (ms since epoch)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (e:Execution {store: st.name})
WHERE e.state = 'FAILED'
RETURN e.store AS store, e.pipeline AS pipeline,
       COLLECT { MATCH (e)-[:IN_CONTEXT]->(r:Run) RETURN r.name ORDER BY r.name }[0] AS run,
       e.uid AS uid, e.kind AS kind, e.type AS type, e.created AS created, e.updated AS updated
ORDER BY created DESC, uid
