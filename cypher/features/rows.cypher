// Purpose: The per-graphlet part of the feature frame (docs/predictor.md): label and costs, the trainer's
//   model type and architecture, and the shape of the graphlet per operator kind (executions,
//   mean INPUT edges, mean OUTPUT edges, and the cost share of that kind, each execution's cost
//   divided among the graphlets holding it as in graphlets/costs). Every INPUT starts at an :Artifact
//   and every OUTPUT ends at one (the graph model), so the edge counts are degree lookups, with no
//   label test on the other end.
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row: graphlets (list of maps, one per graphlet: uid, store, pipeline, trainer_uid,
//   trainer_state, started, ended (ms), pushed (bool or null), cost (seconds), model_type, architecture
//   (strings or null), shape (list of maps: kind, category, n, mean_in, mean_out, cost)); one row, not
//   one per graphlet, because the driver's cost is per record
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
WITH g, t,
     COLLECT {
       MATCH (g)-[:CONTAINS]->(x:Execution)
       WITH x, COUNT { (x)<-[:INPUT]-() } AS ins, COUNT { (x)-[:OUTPUT]->() } AS outs,
            toFloat(coalesce(x.cost, 0.0)) / COUNT { ()-[:CONTAINS]->(x) } AS share
       WITH coalesce(x.kind, 'Custom') AS kind, x.category AS category, count(*) AS n,
            avg(ins) AS mean_in, avg(outs) AS mean_out, sum(share) AS cost
       RETURN {kind: kind, category: category, n: n, mean_in: mean_in, mean_out: mean_out, cost: cost}
     } AS shape
RETURN collect({
         uid: g.uid, store: g.store, pipeline: g.pipeline, trainer_uid: g.trainer_uid,
         trainer_state: g.trainer_state, started: g.started, ended: g.ended, pushed: g.pushed,
         cost: toFloat(coalesce(g.cost, 0.0)), model_type: coalesce(t.c_model_type, t.p_model_type),
         architecture: coalesce(t.c_architecture, t.p_architecture), shape: shape
       }) AS graphlets
