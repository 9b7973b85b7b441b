// Purpose: Write push predictions back to their graphlets: probability, decision, the model version
//   that made them and the top per-feature contributions (JSON text). Properties are only written
//   when a value changed, so predicting again with the same model writes nothing.
// Parameters: $rows (list of maps: uid, push_probability float, push_decision bool, model_version
//   string, contributions string)
// Returns: matched (int: graphlets found), changed (int: graphlets whose prediction was rewritten)
UNWIND $rows AS row
MATCH (g:Graphlet {uid: row.uid})
WITH g, row, (g.push_probability IS NULL OR g.push_probability <> row.push_probability
              OR g.push_decision IS NULL OR g.push_decision <> row.push_decision
              OR g.model_version IS NULL OR g.model_version <> row.model_version
              OR g.contributions IS NULL OR g.contributions <> row.contributions) AS differs
CALL (g, row, differs) {
  WITH g, row, differs
  WHERE differs
  SET g.push_probability = row.push_probability, g.push_decision = row.push_decision,
      g.model_version = row.model_version, g.contributions = row.contributions
}
RETURN count(g) AS matched, count(CASE WHEN differs THEN 1 END) AS changed
