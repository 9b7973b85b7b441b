// Purpose: Every graphlet whose features are computed, in pipeline order (store, pipeline, trainer start,
//   trainer MLMD id).
// Parameters: none
// Returns: one row per graphlet: uid, store, pipeline
MATCH (g:Graphlet)
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
