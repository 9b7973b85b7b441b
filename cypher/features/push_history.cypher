// Purpose: What a scheduler knows about a graphlet's pipeline's recent push outcomes when the
//   graphlet's own work begins. "Own start" = the earliest start of the graphlet's executions that
//   its :NEXT predecessor does not also hold (the new span's ExampleGen on a rolling window; for an
//   A/B arm trained in the same run as its predecessor, its own Trainer). A predecessor's outcome is
//   known when it was decided (pushed true/false) and it ended no later than the own start. Looks
//   back at most 100 graphlets along :NEXT. A pipeline's graphlets are one :NEXT chain
//   (graphlets/link_next), so the preceding graphlets are read as one path, the longest back (100
//   links, or to the pipeline's first graphlet), and the known outcomes picked from its nodes, not
//   one path per predecessor.
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row: graphlets (list of [uid, since_push, hours_since_push, push_rate, known] per
//   graphlet found: since_push (int: lag of the nearest known pushed predecessor, 1 = the previous
//   graphlet; null when none), hours_since_push (float: own start − that predecessor's end, in hours;
//   null when none), push_rate (float: share pushed among the known outcomes; null when none), known
//   (int: predecessors with a known outcome); one row, not one per graphlet, because the driver's
//   cost is per record)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
CALL (g) {
  OPTIONAL MATCH (prev:Graphlet)-[:NEXT]->(g)
  OPTIONAL MATCH (g)-[:CONTAINS]->(x:Execution)
  WHERE prev IS NULL OR NOT (prev)-[:CONTAINS]->(x)
  RETURN min(x.created) AS own_start
}
CALL (g) {
  OPTIONAL MATCH path = (p:Graphlet)-[:NEXT*1..100]->(g)
  WHERE length(path) = 100 OR NOT EXISTS { (:Graphlet)-[:NEXT]->(p) }
  RETURN coalesce(reverse(nodes(path))[1..], []) AS before
}
WITH g, own_start,
     [i IN range(0, size(before) - 1)
      WHERE before[i].pushed IS NOT NULL AND before[i].ended IS NOT NULL AND before[i].ended <= own_start
      | [i + 1, before[i].pushed, before[i].ended]] AS known
WITH g, own_start, known, [k IN known WHERE k[1]] AS pushes
RETURN collect([
         g.uid,
         CASE WHEN size(pushes) = 0 THEN null ELSE pushes[0][0] END,
         CASE WHEN size(pushes) = 0 THEN null ELSE (own_start - pushes[0][2]) / 3600000.0 END,
         CASE WHEN size(known) = 0 THEN null ELSE toFloat(size(pushes)) / size(known) END,
         size(known)
       ]) AS graphlets
