// Purpose: How alike each pipeline's consecutive graphlets are on average (the study's Table 1 row 3,
//   "Avg Dataset"): per pipeline, the mean dataset similarity and mean Jaccard over its :NEXT links
//   (the lag-1 values `mlprov features` writes onto them); links without a value are left out.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per pipeline with at least one :NEXT link: store, pipeline, pairs (int: links),
//   mean_dataset_similarity, mean_jaccard (float or null when no link has a value); ordered by store,
//   pipeline
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (:Graphlet)-[r:NEXT]->(g:Graphlet {store: st.name})
RETURN g.store AS store, g.pipeline AS pipeline, count(r) AS pairs,
       avg(r.dataset_similarity) AS mean_dataset_similarity, avg(r.jaccard) AS mean_jaccard
ORDER BY store, pipeline
