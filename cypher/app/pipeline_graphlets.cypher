// Purpose: One page of the model graphlets of one pipeline in trainer order, with their span in
//   time, outcome, cost and any prediction written back, for the Pipelines page's graphlet table and
//   the Graphlet page's picker. Paged with $skip / $limit; index-backed.
// Parameters: $store (string), $pipeline (string), $skip (int), $limit (int)
// Returns: one row per graphlet: uid, trainer_uid, trainer_state, trainer_created, started, ended
//   (ms since epoch), pushed (true, false or null when undecided), cost (seconds), n_executions,
//   n_artifacts, push_probability and model_version (null until a prediction was written back)
MATCH (g:Graphlet {pipeline: $pipeline})
WHERE g.store = $store
RETURN g.uid AS uid, g.trainer_uid AS trainer_uid, g.trainer_state AS trainer_state,
       g.trainer_created AS trainer_created, g.started AS started, g.ended AS ended, g.pushed AS pushed,
       g.cost AS cost, g.n_executions AS n_executions, g.n_artifacts AS n_artifacts,
       g.push_probability AS push_probability, g.model_version AS model_version
ORDER BY g.trainer_created, g.trainer_mlmd_id
SKIP $skip
LIMIT $limit
