// Purpose: What each pipeline's predictions were computed from: the distinct `predicted_from` stamps
//   of its graphlets ('' for a graphlet never predicted, or predicted from a frame without per-pipeline
//   keys), so `mlprov predict` scores again only the pipelines whose features or model changed.
//   Counts only completely loaded stores (:Store status 'complete').
// Parameters: none
// Returns: one row: pipelines (list of [store, pipeline (or null), stamps (list of strings)] per
//   pipeline; one row, not one per pipeline, because the driver's cost is per record)
MATCH (st:Store {status: 'complete'})
MATCH (g:Graphlet {store: st.name})
WITH g.store AS store, g.pipeline AS pipeline, collect(DISTINCT coalesce(g.predicted_from, '')) AS stamps
RETURN collect([store, pipeline, stamps]) AS pipelines
