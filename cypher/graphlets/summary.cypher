// Purpose: How many graphlets one store (optionally one pipeline) has, and how many were pushed.
// Parameters: $store (string), $pipeline (string or null: every pipeline)
// Returns: graphlets (int), pushed (int)
MATCH (g:Graphlet)
WHERE g.store = $store AND ($pipeline IS NULL OR g.pipeline = $pipeline)
RETURN count(g) AS graphlets, count(CASE WHEN g.pushed THEN 1 END) AS pushed
