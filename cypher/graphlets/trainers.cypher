// Purpose: The Trainer executions of one store that get a graphlet: kind 'Trainer' (custom trainer
//   components map to it through the operator mapping) and not CACHED (a cached trainer trained
//   nothing). Seek on the execution_kind index, filter by store.
// Parameters: $store (string)
// Returns: one row per trainer: id (elementId), uid, mlmd_id, state, created, updated (ms), pipeline
MATCH (t:Execution {kind: 'Trainer'})
WHERE t.store = $store AND coalesce(t.state, '') <> 'CACHED'
RETURN elementId(t) AS id, t.uid AS uid, t.mlmd_id AS mlmd_id, t.state AS state, t.created AS created,
       t.updated AS updated, t.pipeline AS pipeline
ORDER BY t.mlmd_id
