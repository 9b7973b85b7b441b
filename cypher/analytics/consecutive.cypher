// Purpose: Consecutive model graphlets (each :NEXT link, the study's §4): how far apart in time the
//   two trainers started and how alike the two graphlets' inputs are. The similarities are the lag-1
//   history features that `mlprov features` writes onto the link: Jaccard of the input span sets,
//   dataset similarity of the spans paired by position, and whether the trainer code changed.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per :NEXT link: store, pipeline, previous, uid (graphlet uids), pushed,
//   previous_pushed (bool or null), hours (float: trainer start − previous trainer start), jaccard,
//   dataset_similarity (float or null), code_changed (int 1/0 or null); in pipeline order
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (p:Graphlet)-[r:NEXT]->(g:Graphlet {store: st.name})
RETURN g.store AS store, g.pipeline AS pipeline, p.uid AS previous, g.uid AS uid, g.pushed AS pushed,
       p.pushed AS previous_pushed, toFloat(g.trainer_created - p.trainer_created) / 3600000.0 AS hours,
       r.jaccard AS jaccard, r.dataset_similarity AS dataset_similarity, r.code_changed AS code_changed
ORDER BY store, pipeline, g.trainer_created, g.trainer_mlmd_id
