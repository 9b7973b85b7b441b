// Purpose: The per-graphlet part of the feature frame (docs/predictor.md): label and costs, the trainer's
//   model type and architecture, and the shape of the graphlet per operator kind (executions,
//   mean INPUT edges, mean OUTPUT edges, and the cost share of that kind, each execution's cost
//   divided among the graphlets holding it as in graphlets/costs), plus the validation outcomes
//   (the `blessed` flag of ModelBlessing / InfraBlessing artifacts written by post-trainer
//   executions of the graphlet).
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row per graphlet: uid, store, pipeline, trainer_uid, trainer_state, started, ended
//   (ms), pushed (bool or null), cost (seconds), model_type, architecture (strings or null),
//   shape (list of maps: kind, category, n, mean_in, mean_out, cost), blessings (list of maps:
//   kind, blessed int)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline, g.trainer_uid AS trainer_uid,
       g.trainer_state AS trainer_state, g.started AS started, g.ended AS ended, g.pushed AS pushed,
       toFloat(coalesce(g.cost, 0.0)) AS cost,
       coalesce(t.c_model_type, t.p_model_type) AS model_type,
       coalesce(t.c_architecture, t.p_architecture) AS architecture,
       COLLECT {
         MATCH (g)-[:CONTAINS]->(x:Execution)
         WITH x, COUNT { (x)<-[:INPUT]-(:Artifact) } AS ins, COUNT { (x)-[:OUTPUT]->(:Artifact) } AS outs,
              toFloat(coalesce(x.cost, 0.0)) / COUNT { ()-[:CONTAINS]->(x) } AS share
         WITH coalesce(x.kind, 'Custom') AS kind, x.category AS category, count(*) AS n,
              avg(ins) AS mean_in, avg(outs) AS mean_out, sum(share) AS cost
         RETURN {kind: kind, category: category, n: n, mean_in: mean_in, mean_out: mean_out, cost: cost}
       } AS shape,
       COLLECT {
         MATCH (g)-[:CONTAINS]->(x:Execution)-[:OUTPUT]->(b:Artifact)
         WHERE x.category = 'post-trainer' AND coalesce(b.c_blessed, b.p_blessed) IS NOT NULL
         RETURN {kind: b.kind, blessed: toInteger(coalesce(b.c_blessed, b.p_blessed))}
       } AS blessings
