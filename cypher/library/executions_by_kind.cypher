// Purpose: Executions per store, operator kind and state, with their compute cost.
// Parameters: $store (string, optional: all stores)
// Returns: one row per (store, kind, state): store, kind, state, executions, cost (seconds)
MATCH (e:Execution)
WHERE $store IS NULL OR e.store = $store
RETURN e.store AS store, e.kind AS kind, e.state AS state, count(e) AS executions,
       sum(coalesce(e.cost, 0.0)) AS cost
ORDER BY store, kind, state
