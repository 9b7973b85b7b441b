// Purpose: The given graphlets whose features are computed (unknown uids are skipped), in pipeline order;
//   index lookups on the uid (the app's Graphlet page computes a few graphlets' features this way).
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row per graphlet: uid, store, pipeline
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
