// Purpose: Model type mix and push likelihood by model type (the study's §3–4): model graphlets by
//   the model type their Trainer records (custom or registered property `model_type`; 'unknown'
//   when none), with how many were pushed among those whose push is decided.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per model type: model_type, graphlets (int), share (float, 0..1 of all
//   graphlets), decided (int), pushed (int), push_rate (float: pushed / decided, null when none is
//   decided); most graphlets first
OPTIONAL MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
WITH collect(st.name) AS stores
CALL (stores) {
  UNWIND stores AS store
  MATCH (g:Graphlet {store: store})
  RETURN count(g) AS total
}
UNWIND stores AS store
MATCH (g:Graphlet {store: store})
OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
WITH total, coalesce(t.c_model_type, t.p_model_type, 'unknown') AS model_type, g
WITH total, model_type, count(g) AS graphlets, count(g.pushed) AS decided,
     count(CASE WHEN g.pushed THEN 1 END) AS pushed
RETURN model_type, graphlets, toFloat(graphlets) / total AS share, decided, pushed,
       CASE WHEN decided = 0 THEN null ELSE toFloat(pushed) / decided END AS push_rate
ORDER BY graphlets DESC, model_type
