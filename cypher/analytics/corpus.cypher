// Purpose: The corpus as a whole (the study's §2): how many pipelines, execution and artifact nodes
//   it holds and the observation window it covers (earliest to latest execution start or end and
//   artifact creation).
// Parameters: $store (string, optional: all stores)
// Returns: one row: pipelines, executions, artifacts (int), first, last (ms since epoch or null),
//   period_days (float or null: last − first in days)
CALL () {
  MATCH (p:Pipeline)
  WHERE $store IS NULL OR p.store = $store
  RETURN count(p) AS pipelines
}
CALL () {
  MATCH (e:Execution)
  WHERE $store IS NULL OR e.store = $store
  RETURN count(e) AS executions, min(e.created) AS e_first, max(coalesce(e.updated, e.created)) AS e_last
}
CALL () {
  MATCH (a:Artifact)
  WHERE $store IS NULL OR a.store = $store
  RETURN count(a) AS artifacts, min(a.created) AS a_first, max(a.created) AS a_last
}
WITH pipelines, executions, artifacts,
     reduce(m = null, x IN [e_first, a_first] | CASE WHEN x IS NULL OR (m IS NOT NULL AND m <= x) THEN m ELSE x END)
       AS first,
     reduce(m = null, x IN [e_last, a_last] | CASE WHEN x IS NULL OR (m IS NOT NULL AND m >= x) THEN m ELSE x END)
       AS last
RETURN pipelines, executions, artifacts, first, last,
       CASE WHEN first IS NULL THEN null ELSE toFloat(last - first) / 86400000.0 END AS period_days
