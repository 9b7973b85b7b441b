// Purpose: Graphlet cost with each execution's cost shared equally among the graphlets holding it
//   (share = cost / number of incoming [:CONTAINS], a degree lookup), so that the graphlet costs of
//   a store add up to the cost of the executions held by at least one graphlet; also per stage
//   (cost_ingest, cost_data_validation, cost_preprocessing, cost_training, cost_model_validation,
//   cost_deployment, cost_other for executions without a stage). Properties are only written when
//   a value changed, so a rerun that changes nothing writes nothing. Shares are summed in member uid
//   order, so the same membership always gives the same floating-point sums.
// Parameters: $uids (list of graphlet uid strings)
// Returns: changed (int: graphlets whose cost properties were rewritten)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
CALL (g) {
  OPTIONAL MATCH (g)-[:CONTAINS]->(x:Execution)
  WITH x, CASE WHEN x IS NULL THEN 0.0
              ELSE toFloat(coalesce(x.cost, 0.0)) / COUNT { ()-[:CONTAINS]->(x) } END AS share
  ORDER BY x.uid
  RETURN {cost: sum(share),
          cost_ingest: sum(CASE WHEN x.stage = 'ingest' THEN share ELSE 0.0 END),
          cost_data_validation: sum(CASE WHEN x.stage = 'data-validation' THEN share ELSE 0.0 END),
          cost_preprocessing: sum(CASE WHEN x.stage = 'preprocessing' THEN share ELSE 0.0 END),
          cost_training: sum(CASE WHEN x.stage = 'training' THEN share ELSE 0.0 END),
          cost_model_validation: sum(CASE WHEN x.stage = 'model-validation' THEN share ELSE 0.0 END),
          cost_deployment: sum(CASE WHEN x.stage = 'deployment' THEN share ELSE 0.0 END),
          cost_other: sum(CASE WHEN x IS NOT NULL AND x.stage IS NULL THEN share ELSE 0.0 END)} AS c
}
WITH g, c
WHERE any(k IN keys(c) WHERE g[k] IS NULL OR abs(g[k] - c[k]) > 1e-9 * (1.0 + abs(c[k])))
SET g += c
RETURN count(g) AS changed
