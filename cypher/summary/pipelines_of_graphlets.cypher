// Purpose: The (store, pipeline) pairs that hold some of these graphlets, so `mlprov predict` refreshes
//   only the summaries of the pipelines it touched.
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row per pair: store, pipeline
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
WHERE g.pipeline IS NOT NULL
RETURN DISTINCT g.store AS store, g.pipeline AS pipeline
ORDER BY store, pipeline
