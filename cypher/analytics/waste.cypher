// Purpose: The waste estimate (the study's §4–5): graphlet compute split by push outcome — the
//   compute of unpushed graphlets is spent on models never deployed — and, when `mlprov predict`
//   wrote decisions back, what those decisions would have skipped: the unpushed compute they drop
//   (waste removed) and the share of pushed graphlets they keep (freshness).
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row: graphlets, pushed, unpushed, undecided (int), cost, pushed_cost, unpushed_cost,
//   undecided_cost (seconds), waste_share (float: unpushed_cost / decided cost, null when none),
//   predicted (int: decided graphlets with a stored decision), waste_removed (float: unpushed cost
//   the decisions skip / unpushed cost of predicted graphlets, or null), freshness (float: pushed
//   graphlets the decisions keep / pushed predicted graphlets, or null)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (g:Graphlet {store: st.name})
WITH g, toFloat(coalesce(g.cost, 0.0)) AS c
WITH count(g) AS graphlets, count(CASE WHEN g.pushed THEN 1 END) AS pushed,
     count(CASE WHEN NOT g.pushed THEN 1 END) AS unpushed, count(CASE WHEN g.pushed IS NULL THEN 1 END) AS undecided,
     sum(c) AS cost, sum(CASE WHEN g.pushed THEN c ELSE 0.0 END) AS pushed_cost,
     sum(CASE WHEN NOT g.pushed THEN c ELSE 0.0 END) AS unpushed_cost,
     sum(CASE WHEN g.pushed IS NULL THEN c ELSE 0.0 END) AS undecided_cost,
     count(CASE WHEN g.pushed IS NOT NULL AND g.push_decision IS NOT NULL THEN 1 END) AS predicted,
     sum(CASE WHEN NOT g.pushed AND g.push_decision IS NOT NULL THEN c ELSE 0.0 END) AS predicted_unpushed_cost,
     sum(CASE WHEN NOT g.pushed AND g.push_decision = false THEN c ELSE 0.0 END) AS skipped_unpushed_cost,
     count(CASE WHEN g.pushed AND g.push_decision IS NOT NULL THEN 1 END) AS predicted_pushed,
     count(CASE WHEN g.pushed AND g.push_decision THEN 1 END) AS kept_pushed
RETURN graphlets, pushed, unpushed, undecided, cost, pushed_cost, unpushed_cost, undecided_cost,
       CASE WHEN pushed_cost + unpushed_cost = 0.0 THEN null ELSE unpushed_cost / (pushed_cost + unpushed_cost) END
         AS waste_share,
       predicted,
       CASE WHEN predicted_unpushed_cost = 0.0 THEN null ELSE skipped_unpushed_cost / predicted_unpushed_cost END
         AS waste_removed,
       CASE WHEN predicted_pushed = 0 THEN null ELSE toFloat(kept_pushed) / predicted_pushed END AS freshness
