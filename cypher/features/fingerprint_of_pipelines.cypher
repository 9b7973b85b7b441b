// Purpose: The rows of features/fingerprint for the graphlets of the given pipelines only (index lookups on
//   the pipeline): the frame's keys of the pipelines whose graphlets may have changed since the keys were
//   last computed (features/pipeline_marks), without reading every graphlet of the corpus.
//   Counts only completely loaded stores (:Store status 'complete').
// Parameters: $groups (list of maps: store string, pipeline string)
// Returns: one row: graphlets (list of [uid, signature, pushed, cost, previous (uid of the :NEXT
//   predecessor or null), store, pipeline] per graphlet, ordered by uid; one row, not one per graphlet, because the
//   driver's cost is per record)
UNWIND $groups AS grp
MATCH (g:Graphlet {pipeline: grp.pipeline})
WHERE g.store = grp.store
MATCH (:Store {name: g.store, status: 'complete'})
WITH g.uid AS uid, g.signature AS signature, g.pushed AS pushed, g.cost AS cost,
     COLLECT { MATCH (p:Graphlet)-[:NEXT]->(g) RETURN p.uid }[0] AS previous, g.store AS store, g.pipeline AS pipeline
ORDER BY uid
RETURN collect([uid, signature, pushed, cost, previous, store, pipeline]) AS graphlets
