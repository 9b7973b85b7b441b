// Purpose: The push predictions stored on graphlets (written by `mlprov predict`), optionally of
//   the given graphlets or of one pipeline.
// Parameters: $uids (list of graphlet uid strings or null: all), $pipeline (string or null: all)
// Returns: one row per predicted graphlet: uid, pipeline, pushed, push_probability, push_decision,
//   model_version, contributions (JSON string)
MATCH (g:Graphlet)
WHERE g.push_probability IS NOT NULL AND ($uids IS NULL OR g.uid IN $uids)
  AND ($pipeline IS NULL OR g.pipeline = $pipeline)
RETURN g.uid AS uid, g.pipeline AS pipeline, g.pushed AS pushed, g.push_probability AS push_probability,
       g.push_decision AS push_decision, g.model_version AS model_version, g.contributions AS contributions
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
