// Purpose: The graphlets of one pipeline whose features are computed, in order (trainer start, trainer
//   MLMD id); an index lookup on the pipeline.
// Parameters: $pipeline (string)
// Returns: one row per graphlet: uid, store, pipeline
MATCH (g:Graphlet {pipeline: $pipeline})
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
