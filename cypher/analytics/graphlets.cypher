// Purpose: Every model graphlet with its outcome, duration and costs (the study's §4): duration is
//   the graphlet's first execution start to its last execution end; cost is the graphlet's share of
//   the compute of its executions (graphlets/costs); trainer_cost is its Trainer execution's own
//   cost and trainer_hours its Trainer's run time (created to last update). The predictor's stored
//   decision is included when `mlprov predict` wrote one.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per graphlet: store, pipeline, uid, trainer_state, pushed (bool or null),
//   started (ms since epoch), hours (float: duration), cost, trainer_cost (seconds), trainer_hours
//   (float or null), push_probability (float or null), push_decision (bool or null); in pipeline order
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (g:Graphlet {store: st.name})
OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
RETURN g.store AS store, g.pipeline AS pipeline, g.uid AS uid, g.trainer_state AS trainer_state,
       g.pushed AS pushed, g.started AS started, toFloat(g.ended - g.started) / 3600000.0 AS hours,
       toFloat(coalesce(g.cost, 0.0)) AS cost, toFloat(coalesce(t.cost, 0.0)) AS trainer_cost,
       toFloat(t.updated - t.created) / 3600000.0 AS trainer_hours,
       g.push_probability AS push_probability, g.push_decision AS push_decision
ORDER BY store, pipeline, g.trainer_created, g.trainer_mlmd_id
