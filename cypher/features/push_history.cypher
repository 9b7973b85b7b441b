// Purpose: What a scheduler knows about a graphlet's pipeline's recent push outcomes when the
//   graphlet's own work begins. "Own start" = the earliest start of the graphlet's executions that
//   its :NEXT predecessor does not also hold (the new span's ExampleGen on a rolling window; for an
//   A/B arm trained in the same run as its predecessor, its own Trainer). A predecessor's outcome is
//   known when it was decided (pushed true/false) and it ended no later than the own start. Looks
//   back at most 100 graphlets along :NEXT.
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row per graphlet: uid, since_push (int: lag of the nearest known pushed predecessor,
//   1 = the previous graphlet; null when none), hours_since_push (float: own start − that
//   predecessor's end, in hours; null when none), push_rate (float: share pushed among the known
//   outcomes; null when none), known (int: predecessors with a known outcome)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
CALL (g) {
  OPTIONAL MATCH (prev:Graphlet)-[:NEXT]->(g)
  OPTIONAL MATCH (g)-[:CONTAINS]->(x:Execution)
  WHERE prev IS NULL OR NOT (prev)-[:CONTAINS]->(x)
  RETURN min(x.created) AS own_start
}
CALL (g, own_start) {
  OPTIONAL MATCH path = (p:Graphlet)-[:NEXT*1..100]->(g)
  WHERE p.pushed IS NOT NULL AND p.ended IS NOT NULL AND p.ended <= own_start
  WITH p, length(path) AS lag
  ORDER BY lag
  WITH collect(CASE WHEN p IS NOT NULL THEN {lag: lag, pushed: p.pushed, ended: p.ended} END) AS known
  WITH known, [k IN known WHERE k.pushed] AS pushes
  RETURN size(known) AS n_known,
         CASE WHEN size(pushes) = 0 THEN null ELSE pushes[0].lag END AS since_push,
         CASE WHEN size(pushes) = 0 THEN null ELSE (own_start - pushes[0].ended) / 3600000.0 END AS hours_since_push,
         CASE WHEN size(known) = 0 THEN null ELSE toFloat(size(pushes)) / size(known) END AS push_rate
}
RETURN g.uid AS uid, since_push, hours_since_push, push_rate, n_known AS known
