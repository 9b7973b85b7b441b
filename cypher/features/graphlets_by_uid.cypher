// Purpose: The given graphlets whose features are computed (unknown uids are skipped), in pipeline order;
//   index lookups on the uid (the app's Graphlet page computes a few graphlets' features this way).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row: graphlets (list of [uid, store, pipeline, facts] per graphlet, in that order, facts
//   false when the graphlet was built without the history facts of graphlets/history_facts, by an older
//   mlprov; one row, not one per graphlet, because the driver's cost is per record)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
MATCH (:Store {name: g.store, status: 'complete'})
WITH g
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
RETURN collect([g.uid, g.store, g.pipeline, g.prev_in_time IS NOT NULL]) AS graphlets
