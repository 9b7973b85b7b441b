// Purpose: The pipelines of some stores from their summaries (:PipelineSummary, written by
//   `mlprov graphlets` / `mlprov predict`), for the Pipelines page's list and the Graphlet page's
//   picker: counts, cost, active period, graphlets, model mix and latest prediction. Index-backed.
// Parameters: $stores (list of store names)
// Returns: one row per pipeline: store, pipeline, executions, runs, trainer_runs, pushes, cost
//   (seconds), first_created, last_updated (ms since epoch), graphlets, pushed, decided,
//   trainer_types, trainer_type_graphlets (parallel lists), latest_prediction (graphlet uid),
//   latest_probability, latest_decision; ordered by store, pipeline
MATCH (s:PipelineSummary)
USING INDEX s:PipelineSummary(store)
WHERE s.store IN $stores
RETURN s.store AS store, s.pipeline AS pipeline, s.executions AS executions, s.runs AS runs,
       s.trainer_runs AS trainer_runs, s.pushes AS pushes, s.cost AS cost, s.first_created AS first_created,
       s.last_updated AS last_updated, s.graphlets AS graphlets, s.pushed AS pushed, s.decided AS decided,
       s.trainer_types AS trainer_types, s.trainer_type_graphlets AS trainer_type_graphlets,
       s.latest_prediction AS latest_prediction, s.latest_probability AS latest_probability,
       s.latest_decision AS latest_decision
ORDER BY store, pipeline
