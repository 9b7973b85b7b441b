// Purpose: Executions per store, operator kind and state, with their compute cost.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per (store, kind, state): store, kind, state, executions, cost (seconds)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (e:Execution {store: st.name})
RETURN e.store AS store, e.kind AS kind, e.state AS state, count(e) AS executions,
       sum(coalesce(e.cost, 0.0)) AS cost
ORDER BY store, kind, state
