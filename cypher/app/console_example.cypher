// Purpose: The example statement the app's Cypher console starts with: graphlets per pipeline.
// Parameters: none
// Returns: one row per pipeline: pipeline, graphlets
MATCH (g:Graphlet)
RETURN g.pipeline AS pipeline, count(*) AS graphlets
ORDER BY graphlets DESC
