// Purpose: Failed executions (MLMD state FAILED) with their pipeline and run, newest first.
// Parameters: $store (string, optional: all stores)
// Returns: one row per failed execution: store, pipeline, run (run context name or null), uid,
//   kind, type, created, updated (ms since epoch)
MATCH (e:Execution {state: 'FAILED'})
WHERE $store IS NULL OR e.store = $store
RETURN e.store AS store, e.pipeline AS pipeline,
       COLLECT { MATCH (e)-[:IN_CONTEXT]->(r:Run) RETURN r.name ORDER BY r.name }[0] AS run,
       e.uid AS uid, e.kind AS kind, e.type AS type, e.created AS created, e.updated AS updated
ORDER BY created DESC, uid
