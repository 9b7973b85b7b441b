// Purpose: The most expensive model graphlets that were never pushed: the compute a push
//   predictor could have saved.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores), $top (int, optional: 20)
// Returns: one row per graphlet: graphlet, store, pipeline, trainer_uid, trainer_state, started,
//   ended (ms since epoch), cost (seconds); most expensive first
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (g:Graphlet {store: st.name})
WHERE g.pushed = false
RETURN g.uid AS graphlet, g.store AS store, g.pipeline AS pipeline, g.trainer_uid AS trainer_uid,
       g.trainer_state AS trainer_state, g.started AS started, g.ended AS ended, g.cost AS cost
ORDER BY cost DESC, graphlet
LIMIT coalesce($top, 20)
