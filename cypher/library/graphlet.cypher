// Purpose: One model graphlet (`mlprov graphlets`) with its members in time order.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $uid (string: graphlet uid, e.g. "store:g:42")
// Returns: one row per member: graphlet, pipeline, trainer_uid, pushed, graphlet_cost, member
//   (uid), node ('Execution' or 'Artifact'), kind, state, created (ms since epoch)
MATCH (g:Graphlet {uid: $uid})-[:CONTAINS]->(x)
WHERE EXISTS { MATCH (:Store {name: g.store, status: 'complete'}) }
RETURN g.uid AS graphlet, g.pipeline AS pipeline, g.trainer_uid AS trainer_uid, g.pushed AS pushed,
       g.cost AS graphlet_cost, x.uid AS member,
       CASE WHEN x:Execution THEN 'Execution' ELSE 'Artifact' END AS node,
       x.kind AS kind, x.state AS state, x.created AS created
ORDER BY created, node DESC, member
