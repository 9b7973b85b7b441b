// Purpose: How big one pipeline's trace is: executions, first and last execution time, and its
//   model graphlets, so the Pipelines page can decide how to page it.
// Parameters: $store (string), $pipeline (string)
// Returns: one row: executions, first_created, last_updated (ms since epoch), graphlets, pushed
CALL () {
  MATCH (e:Execution {pipeline: $pipeline})
  WHERE e.store = $store
  RETURN count(e) AS executions, min(e.created) AS first_created, max(e.updated) AS last_updated
}
CALL () {
  MATCH (g:Graphlet {pipeline: $pipeline})
  WHERE g.store = $store
  RETURN count(g) AS graphlets, count(CASE WHEN g.pushed THEN 1 END) AS pushed
}
RETURN executions, first_created, last_updated, graphlets, pushed
