// Purpose: The model graphlets of one pipeline whose span overlaps a time window (one page of the
//   trace), in trainer order, for drawing them under that page's executions. Index-backed
//   (:Graphlet pipeline index).
// Parameters: $store (string), $pipeline (string), $lo (int: ms since epoch), $hi (int: ms since
//   epoch)
// Returns: one row per graphlet: uid, trainer_uid, trainer_state, trainer_created, started, ended
//   (ms since epoch), pushed, cost (seconds), n_executions, n_artifacts, push_probability,
//   model_version
MATCH (g:Graphlet {pipeline: $pipeline})
WHERE g.store = $store AND g.started <= $hi AND g.ended >= $lo
RETURN g.uid AS uid, g.trainer_uid AS trainer_uid, g.trainer_state AS trainer_state,
       g.trainer_created AS trainer_created, g.started AS started, g.ended AS ended, g.pushed AS pushed,
       g.cost AS cost, g.n_executions AS n_executions, g.n_artifacts AS n_artifacts,
       g.push_probability AS push_probability, g.model_version AS model_version
ORDER BY g.trainer_created, g.trainer_mlmd_id
