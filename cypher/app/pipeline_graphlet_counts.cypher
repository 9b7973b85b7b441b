// Purpose: Model graphlets per pipeline, pushed and decided, for the Pipelines page's list
//   (joined there with library/pipelines).
// Parameters: $store (string, optional: all stores)
// Returns: one row per (store, pipeline) with graphlets: store, pipeline, graphlets, pushed, decided
MATCH (g:Graphlet)
WHERE ($store IS NULL OR g.store = $store) AND g.pipeline IS NOT NULL
RETURN g.store AS store, g.pipeline AS pipeline, count(g) AS graphlets,
       count(CASE WHEN g.pushed THEN 1 END) AS pushed, count(g.pushed) AS decided
ORDER BY store, pipeline
