// Purpose: The graphlets whose features are computed, in pipeline order (store, pipeline, trainer
//   start, trainer MLMD id): all of them, or those of one pipeline, or the given uids.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $pipeline (string or null: every pipeline), $uids (list of graphlet uid strings or
//   null: every graphlet)
// Returns: one row per graphlet: uid, store, pipeline
MATCH (st:Store {status: 'complete'})
MATCH (g:Graphlet {store: st.name})
WHERE ($pipeline IS NULL OR g.pipeline = $pipeline) AND ($uids IS NULL OR g.uid IN $uids)
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
