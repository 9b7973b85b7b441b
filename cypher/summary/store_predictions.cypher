// Purpose: Write the predictions' part of a store's :StoreSummary (summary/store wrote the rest):
//   graphlets predicted, the decided graphlets' predictions as a histogram on the Predictor page's
//   threshold grid (0.00, 0.01, … 1.00: per bin, the graphlets pushed, unpushed and the unpushed cost
//   whose push probability reaches that threshold but not the next, so the freshness–waste curve is a
//   cumulative sum) and per model version. `mlprov predict` runs only this; the write time changes, so
//   the app's cached answers for the store are not used again. Reads aggregate (memory per bin and
//   per model version, not per graphlet); writes one node.
// Parameters: $store (string), $now (int: ms since epoch, the write time)
// Returns: store (string), predicted (int); no row when the store has no summary yet
MATCH (s:StoreSummary {store: $store})
CALL (s) {
  MATCH (g:Graphlet)
  WHERE g.store = s.store
  RETURN count(g.push_probability) AS predicted
}
CALL (s) {
  MATCH (g:Graphlet)
  WHERE g.store = s.store AND g.pushed IS NOT NULL AND g.push_probability IS NOT NULL
  WITH g, toInteger(floor(g.push_probability * 100)) AS b
  // the highest grid threshold i / 100 with probability ≥ i / 100, compared as the page compares (the
  // product can round across an integer: 0.29 * 100 = 28.999…)
  WITH g, CASE WHEN g.push_probability >= (b + 1) / 100.0 THEN b + 1
               WHEN g.push_probability < b / 100.0 THEN b - 1
               ELSE b END AS bin
  WITH bin, count(CASE WHEN g.pushed THEN 1 END) AS pushed, count(CASE WHEN NOT g.pushed THEN 1 END) AS unpushed,
       sum(CASE WHEN g.pushed THEN 0.0 ELSE toFloat(coalesce(g.cost, 0.0)) END) AS unpushed_cost
  ORDER BY bin
  RETURN collect(bin) AS prediction_bins, collect(pushed) AS prediction_pushed,
         collect(unpushed) AS prediction_unpushed, collect(unpushed_cost) AS prediction_unpushed_cost
}
CALL (s) {
  MATCH (g:Graphlet)
  WHERE g.store = s.store AND g.pushed IS NOT NULL AND g.push_probability IS NOT NULL
  WITH coalesce(g.model_version, 'unknown') AS version, count(g) AS n
  ORDER BY version
  RETURN collect(version) AS prediction_versions, collect(n) AS prediction_version_graphlets
}
SET s.written_at = $now, s.predicted = predicted, s.prediction_bins = prediction_bins,
    s.prediction_pushed = prediction_pushed, s.prediction_unpushed = prediction_unpushed,
    s.prediction_unpushed_cost = prediction_unpushed_cost, s.prediction_versions = prediction_versions,
    s.prediction_version_graphlets = prediction_version_graphlets
RETURN s.store AS store, predicted
