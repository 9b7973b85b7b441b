// Purpose: Consecutive pushes of each pipeline (the study's §4): for every two pushes in a row (model
//   graphlets in trainer order), how many graphlets between them did not push (unpushed or
//   undecided) and how long apart the two trainers started.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per pair of consecutive pushes: store, pipeline, previous_push, push (graphlet
//   uids), unpushed_between (int), hours (float); in pipeline order
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (g:Graphlet {store: st.name})
WITH g
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
WITH g.store AS store, g.pipeline AS pipeline, collect(g) AS gs
WITH store, pipeline, gs, [i IN range(0, size(gs) - 1) WHERE gs[i].pushed] AS idx
UNWIND range(1, size(idx) - 1) AS j
RETURN store, pipeline, gs[idx[j - 1]].uid AS previous_push, gs[idx[j]].uid AS push,
       idx[j] - idx[j - 1] - 1 AS unpushed_between,
       toFloat(gs[idx[j]].trainer_created - gs[idx[j - 1]].trainer_created) / 3600000.0 AS hours
ORDER BY store, pipeline, j
