// Purpose: Each pipeline's trace (the study's §2–4): its execution nodes and the distinct artifact
//   nodes they read or wrote (the trace size), its model graphlets with their push outcomes, its
//   model type (the one most of its graphlets' Trainers record; ties by name; 'unknown' when none)
//   and whether it warm-starts (a Trainer of the pipeline reads a Model artifact another Trainer
//   wrote, e.g. a previous model or a distillation teacher's).
//   Also its compute: all of its executions' cost, the pre-trainer operators' part, and the part of
//   Trainer and post-trainer executions held by its unpushed graphlets (each execution once).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per pipeline with executions: store, pipeline, executions, artifacts, nodes
//   (int: executions + artifacts), graphlets, decided, pushed (int), model_type (string),
//   warm_start (bool), cost, pre_trainer_cost, unpushed_late_cost (seconds); ordered by store,
//   pipeline
CALL () {
  // the warm-starting pipelines, found once from the Trainers that read a Model (a few inputs each), not by
  // scanning every pipeline's executions for its Trainers
  MATCH (t2:Execution {kind: 'Trainer'})<-[:INPUT]-(:Artifact {kind: 'Model'})<-[:OUTPUT]-(t1:Execution {kind: 'Trainer'})
  WHERE t1 <> t2 AND t2.pipeline IS NOT NULL AND ($store IS NULL OR t2.store = $store)
  RETURN collect(DISTINCT [t2.store, t2.pipeline]) AS warm
}
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (p:Pipeline)
WHERE p.store = st.name
CALL (p) {
  MATCH (e:Execution {pipeline: p.name})
  WHERE e.store = p.store
  RETURN count(e) AS executions, sum(toFloat(coalesce(e.cost, 0.0))) AS cost,
         sum(CASE WHEN e.category = 'pre-trainer' THEN toFloat(coalesce(e.cost, 0.0)) ELSE 0.0 END) AS pre_trainer_cost
}
CALL (p) {
  // INPUT and OUTPUT link only executions and artifacts (docs/graph-model.md): no label check on the other end
  MATCH (e:Execution {pipeline: p.name})-[:INPUT|OUTPUT]-(a)
  WHERE e.store = p.store
  RETURN count(DISTINCT a) AS artifacts
}
CALL (p) {
  MATCH (g:Graphlet {pipeline: p.name})-[:CONTAINS]->(e:Execution)
  WHERE g.store = p.store AND g.pushed = false AND e.category IN ['trainer', 'post-trainer']
  WITH DISTINCT e
  RETURN sum(toFloat(coalesce(e.cost, 0.0))) AS unpushed_late_cost
}
CALL (p) {
  MATCH (g:Graphlet {pipeline: p.name})
  WHERE g.store = p.store
  OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
  WITH coalesce(t.c_model_type, t.p_model_type, 'unknown') AS model_type, count(g) AS n,
       count(g.pushed) AS decided, count(CASE WHEN g.pushed THEN 1 END) AS pushed
  ORDER BY n DESC, model_type
  RETURN coalesce(collect(model_type)[0], 'unknown') AS model_type, sum(n) AS graphlets, sum(decided) AS decided,
         sum(pushed) AS pushed
}
WITH p, executions, artifacts, cost, pre_trainer_cost, unpushed_late_cost, model_type, graphlets, decided, pushed,
     coalesce([p.store, p.name] IN warm, false) AS warm_start
WHERE executions > 0
RETURN p.store AS store, p.name AS pipeline, executions, artifacts, executions + artifacts AS nodes, graphlets,
       decided, pushed, model_type, warm_start, cost, pre_trainer_cost, unpushed_late_cost
ORDER BY store, pipeline
