// Purpose: The graphlets of one pipeline whose features are computed, in order (trainer start, trainer
//   MLMD id); an index lookup on the pipeline.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $pipeline (string)
// Returns: one row: graphlets (list of [uid, store, pipeline, facts] per graphlet, in that order, facts
//   false when the graphlet was built without the history facts of graphlets/history_facts, by an older
//   mlprov; one row, not one per graphlet, because the driver's cost is per record)
MATCH (g:Graphlet {pipeline: $pipeline})
MATCH (:Store {name: g.store, status: 'complete'})
WITH g
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
RETURN collect([g.uid, g.store, g.pipeline, g.prev_in_time IS NOT NULL]) AS graphlets
