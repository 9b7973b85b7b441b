// Purpose: Corpus totals for the app's Overview page: stores, pipelines, executions, artifacts,
//   model graphlets, pushed and decided graphlets, compute cost. Label counts come from the count
//   store; the cost sum scans the executions once.
// Parameters: $store (string, optional: all stores)
// Returns: one row: stores, pipelines, executions, artifacts, graphlets, pushed, decided (graphlets
//   whose push is decided), cost (seconds), graphlet_cost (seconds)
CALL () {
  MATCH (s:Store)
  WHERE $store IS NULL OR s.name = $store
  RETURN count(s) AS stores
}
CALL () {
  MATCH (p:Pipeline)
  WHERE $store IS NULL OR p.store = $store
  RETURN count(p) AS pipelines
}
CALL () {
  MATCH (e:Execution)
  WHERE $store IS NULL OR e.store = $store
  RETURN count(e) AS executions, sum(coalesce(e.cost, 0.0)) AS cost
}
CALL () {
  MATCH (a:Artifact)
  WHERE $store IS NULL OR a.store = $store
  RETURN count(a) AS artifacts
}
CALL () {
  MATCH (g:Graphlet)
  WHERE $store IS NULL OR g.store = $store
  RETURN count(g) AS graphlets, count(CASE WHEN g.pushed THEN 1 END) AS pushed,
         count(g.pushed) AS decided, sum(coalesce(g.cost, 0.0)) AS graphlet_cost
}
RETURN stores, pipelines, executions, artifacts, graphlets, pushed, decided, cost, graphlet_cost
