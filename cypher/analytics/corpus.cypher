// Purpose: The corpus as a whole (the study's §2): how many pipelines, execution and artifact nodes
//   it holds and the observation window it covers (earliest to latest execution start or end and
//   artifact creation).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row: pipelines, executions, artifacts (int), first, last (ms since epoch or null),
//   period_days (float or null: last − first in days)
OPTIONAL MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
WITH collect(st.name) AS stores
CALL (stores) {
  UNWIND stores AS store
  MATCH (p:Context {store: store})
  WHERE p:Pipeline
  RETURN count(p) AS pipelines
}
CALL (stores) {
  UNWIND stores AS store
  MATCH (e:Execution {store: store})
  RETURN count(e) AS executions, min(e.created) AS e_first, max(coalesce(e.updated, e.created)) AS e_last
}
CALL (stores) {
  UNWIND stores AS store
  MATCH (a:Artifact {store: store})
  RETURN count(a) AS artifacts, min(a.created) AS a_first, max(a.created) AS a_last
}
WITH pipelines, executions, artifacts,
     reduce(m = null, x IN [e_first, a_first] | CASE WHEN x IS NULL OR (m IS NOT NULL AND m <= x) THEN m ELSE x END)
       AS first,
     reduce(m = null, x IN [e_last, a_last] | CASE WHEN x IS NULL OR (m IS NOT NULL AND m >= x) THEN m ELSE x END)
       AS last
RETURN pipelines, executions, artifacts, first, last,
       CASE WHEN first IS NULL THEN null ELSE toFloat(last - first) / 86400000.0 END AS period_days
