// Purpose: Artifacts per store, kind and data span (the `span` property ExampleGen writes), with
//   how many executions read them.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores), $kind (string, optional: every artifact kind)
// Returns: one row per (store, kind, span): store, kind, span, artifacts, readers (distinct
//   executions reading them)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (a:Artifact {store: st.name})
WHERE a.span IS NOT NULL AND ($kind IS NULL OR a.kind = $kind)
OPTIONAL MATCH (a)-[:INPUT]->(x:Execution)
RETURN a.store AS store, a.kind AS kind, a.span AS span, count(DISTINCT a) AS artifacts,
       count(DISTINCT x) AS readers
ORDER BY store, kind, span
