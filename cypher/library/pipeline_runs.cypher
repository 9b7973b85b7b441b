// Purpose: The runs of one pipeline (MLMD run / pipeline_run contexts holding its executions) in
//   time order, with their size, outcome and cost.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $pipeline (string: pipeline name), $store (string, optional: every store with
//   that pipeline name)
// Returns: one row per run: store, run, run_uid, started, ended (ms since epoch), executions,
//   kinds (list of operator kinds in time order), failed, cached, cost (seconds)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (e:Execution {pipeline: $pipeline})
WHERE e.store = st.name
MATCH (e)-[:IN_CONTEXT]->(r:Run)
WITH r, e
ORDER BY e.created, e.mlmd_id
RETURN r.store AS store, r.name AS run, r.uid AS run_uid,
       min(e.created) AS started, max(e.updated) AS ended,
       count(e) AS executions, collect(e.kind) AS kinds,
       count(CASE WHEN e.state = 'FAILED' THEN 1 END) AS failed,
       count(CASE WHEN e.state = 'CACHED' THEN 1 END) AS cached,
       sum(coalesce(e.cost, 0.0)) AS cost
ORDER BY store, started, run_uid
