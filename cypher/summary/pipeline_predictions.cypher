// Purpose: Write the latest prediction of each pipeline of a batch (the push probability, decision and
//   model version of its newest predicted graphlet, by trainer start) onto its :PipelineSummary, which
//   summary/pipelines wrote. `mlprov predict` runs only this for the pipelines it predicted; a pipeline
//   without a summary is left out of `written` so that the caller writes its whole summary. A row's
//   `stamp` is recorded as the summary's `predicted_from` (what every graphlet of the pipeline was just
//   predicted from: predict/stamps reads it back); '' removes it, no stamp keeps the recorded one.
// Parameters: $rows (list of maps: store, pipeline, optional stamp string), $now (int: ms since epoch, the write
//   time)
// Returns: one row per pipeline: store, pipeline, written (bool: its summary exists and was updated)
UNWIND $rows AS row
OPTIONAL MATCH (s:PipelineSummary {store: row.store, pipeline: row.pipeline})
CALL (row) {
  MATCH (g:Graphlet {pipeline: row.pipeline})
  WHERE g.store = row.store AND g.push_probability IS NOT NULL
  WITH g
  ORDER BY g.trainer_created DESC, g.trainer_mlmd_id DESC
  LIMIT 1
  RETURN collect(g)[0] AS latest
}
FOREACH (summary IN CASE WHEN s IS NULL THEN [] ELSE [s] END |
  SET summary.latest_prediction = latest.uid, summary.latest_probability = latest.push_probability,
      summary.latest_decision = latest.push_decision, summary.latest_model_version = latest.model_version,
      summary.predictions_written_at = $now,
      summary.predicted_from = CASE WHEN row.stamp IS NULL THEN summary.predicted_from
                                    WHEN row.stamp = '' THEN null ELSE row.stamp END)
RETURN row.store AS store, row.pipeline AS pipeline, s IS NOT NULL AS written
