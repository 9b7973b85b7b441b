// Purpose: What the feature frame depends on, for its cache keys: every graphlet with its signature
//   (trainer and members), push label, cost and predecessor, and its store and pipeline (the frame
//   is cached in per-pipeline parts: a graphlet's features depend only on its own pipeline's
//   graphlets). Any rebuild that changes a graphlet, its label, its cost or its :NEXT link changes
//   the rows returned here. Read for every store, or for one ($store) whose pipelines' summaries cannot
//   tell which of them changed (features/pipeline_marks); features/fingerprint_of_pipelines reads the
//   same rows for given pipelines.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, or null for every store)
// Returns: one row: graphlets (list of [uid, signature, pushed, cost, previous (uid of the :NEXT
//   predecessor or null), store, pipeline] per graphlet, ordered by uid; one row, not one per graphlet, because the
//   driver's cost is per record)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (g:Graphlet {store: st.name})
WITH g.uid AS uid, g.signature AS signature, g.pushed AS pushed, g.cost AS cost,
     COLLECT { MATCH (p:Graphlet)-[:NEXT]->(g) RETURN p.uid }[0] AS previous, g.store AS store, g.pipeline AS pipeline
ORDER BY uid
RETURN collect([uid, signature, pushed, cost, previous, store, pipeline]) AS graphlets
