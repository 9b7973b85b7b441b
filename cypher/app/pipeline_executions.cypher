// Purpose: One page of a pipeline's trace: its executions in time order (creation time, then MLMD
//   id), each with the model graphlets holding it, so the Pipelines page can draw the trace
//   left to right with graphlets highlighted. Paged with $skip / $limit so large traces stay fast.
// Parameters: $store (string), $pipeline (string), $skip (int), $limit (int)
// Returns: one row per execution: uid, mlmd_id, kind, stage, type, state, created, updated (ms
//   since epoch), cost (seconds), inputs, outputs (artifacts read / written), graphlets (uids of
//   the graphlets holding it), pushed_graphlets, unpushed_graphlets (how many of them were pushed,
//   were not pushed)
MATCH (e:Execution {pipeline: $pipeline})
WHERE e.store = $store
WITH e
ORDER BY e.created, e.mlmd_id
SKIP $skip
LIMIT $limit
RETURN e.uid AS uid, e.mlmd_id AS mlmd_id, e.kind AS kind, e.stage AS stage, e.type_short AS type,
       e.state AS state, e.created AS created, e.updated AS updated, e.cost AS cost,
       COUNT { (e)<-[:INPUT]-() } AS inputs, COUNT { (e)-[:OUTPUT]->() } AS outputs,
       COLLECT { MATCH (g:Graphlet)-[:CONTAINS]->(e) RETURN g.uid ORDER BY g.uid } AS graphlets,
       COUNT { MATCH (g:Graphlet)-[:CONTAINS]->(e) WHERE g.pushed } AS pushed_graphlets,
       COUNT { MATCH (g:Graphlet)-[:CONTAINS]->(e) WHERE NOT g.pushed } AS unpushed_graphlets
ORDER BY created, mlmd_id
