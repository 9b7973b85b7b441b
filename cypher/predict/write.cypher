// Purpose: Write push predictions back to their graphlets: probability, decision, the model version
//   that made them and the top per-feature contributions (JSON text). Properties are only written
//   when a value changed, so predicting again with the same model writes nothing. `predicted_from`
//   (what the prediction was computed from: its pipeline's frame key and the model, or null) is
//   written when it differs, and is not counted as a changed prediction.
// Parameters: $rows (list of maps: uid, push_probability float, push_decision bool, model_version
//   string, contributions string, predicted_from string or null)
// Returns: matched (int: graphlets found), changed (int: graphlets whose prediction was rewritten)
UNWIND $rows AS row
MATCH (g:Graphlet {uid: row.uid})
WITH g, row, (g.push_probability IS NULL OR g.push_probability <> row.push_probability
              OR g.push_decision IS NULL OR g.push_decision <> row.push_decision
              OR g.model_version IS NULL OR g.model_version <> row.model_version
              OR g.contributions IS NULL OR g.contributions <> row.contributions) AS differs,
     coalesce(g.predicted_from, '') <> coalesce(row.predicted_from, '') AS restamp
CALL (g, row, differs) {
  WITH g, row, differs
  WHERE differs
  SET g.push_probability = row.push_probability, g.push_decision = row.push_decision,
      g.model_version = row.model_version, g.contributions = row.contributions
}
CALL (g, row, restamp) {
  WITH g, row, restamp
  WHERE restamp
  SET g.predicted_from = row.predicted_from
}
RETURN count(g) AS matched, count(CASE WHEN differs THEN 1 END) AS changed
