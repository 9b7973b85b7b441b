// Purpose: Every graphlet whose features are computed, in pipeline order (store, pipeline, trainer start,
//   trainer MLMD id).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: none
// Returns: one row per graphlet: uid, store, pipeline
MATCH (st:Store {status: 'complete'})
MATCH (g:Graphlet {store: st.name})
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
