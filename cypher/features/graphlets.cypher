// Purpose: Every graphlet whose features are computed, in pipeline order (store, pipeline, trainer start,
//   trainer MLMD id).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: none
// Returns: one row: graphlets (list of [uid, store, pipeline, facts] per graphlet, in that order, facts
//   false when the graphlet was built without the history facts of graphlets/history_facts, by an older
//   mlprov; one row, not one per graphlet, because the driver's cost is per record)
MATCH (st:Store {status: 'complete'})
MATCH (g:Graphlet {store: st.name})
WITH g
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
RETURN collect([g.uid, g.store, g.pipeline, g.prev_in_time IS NOT NULL]) AS graphlets
