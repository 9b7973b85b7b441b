// Purpose: What each pipeline's predictions were computed from: the stamp (its frame key and the model)
//   `mlprov predict` recorded on its :PipelineSummary after predicting every graphlet of the pipeline from it
//   (summary/pipeline_predictions), so that it scores again only the pipelines whose features or model
//   changed; null when none is recorded (never predicted whole, or chosen graphlets predicted since). One
//   summary per pipeline is read, not the graphlets. Counts only completely loaded stores
//   (:Store status 'complete').
// Parameters: none
// Returns: one row: pipelines (list of [store, pipeline, stamp (string or null)] per :PipelineSummary; one row,
//   not one per pipeline, because the driver's cost is per record)
MATCH (st:Store {status: 'complete'})
MATCH (s:PipelineSummary {store: st.name})
RETURN collect([s.store, s.pipeline, s.predicted_from]) AS pipelines
