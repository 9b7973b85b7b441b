// Purpose: Model graphlets whose push is decided and that carry a prediction written back by the
//   push predictor (`mlprov predict`), for the Predictor page's freshness–waste curve.
// Parameters: $stores (list of store names)
// Returns: one row per graphlet: uid, store, pipeline, pushed, cost (seconds), push_probability,
//   model_version
MATCH (g:Graphlet)
USING INDEX g:Graphlet(store)
WHERE g.store IN $stores AND g.pushed IS NOT NULL AND g.push_probability IS NOT NULL
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline, g.pushed AS pushed, g.cost AS cost,
       g.push_probability AS push_probability, g.model_version AS model_version
ORDER BY uid
