// Purpose: Do pushed models see different inputs? (the study's §4): for the :NEXT links whose later
//   graphlet has a decided push, the mean Jaccard and dataset similarity to the previous graphlet and
//   the share of links where the trainer code did not change, pushed vs unpushed.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per outcome: pushed (bool), pairs (int), mean_jaccard, mean_dataset_similarity
//   (float or null), code_match (float: share with unchanged code among links where both code
//   versions are known, or null); unpushed first
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (:Graphlet)-[r:NEXT]->(g:Graphlet {store: st.name})
WHERE g.pushed IS NOT NULL
RETURN g.pushed AS pushed, count(r) AS pairs, avg(r.jaccard) AS mean_jaccard,
       avg(r.dataset_similarity) AS mean_dataset_similarity,
       CASE WHEN count(r.code_changed) = 0 THEN null
            ELSE toFloat(count(CASE WHEN r.code_changed = 0 THEN 1 END)) / count(r.code_changed) END AS code_match
ORDER BY pushed
