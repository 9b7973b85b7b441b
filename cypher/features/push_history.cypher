// Purpose: What a scheduler knows about a graphlet's pipeline's recent push outcomes when the
//   graphlet's own work begins. "Own start" = the earliest start of the graphlet's executions that
//   its :NEXT predecessor does not also hold (the new span's ExampleGen on a rolling window; for an
//   A/B arm trained in the same run as its predecessor, its own Trainer). A predecessor's outcome is
//   known when it was decided (pushed true/false) and it ended no later than the own start. Looks
//   back at most 100 graphlets along :NEXT. A pipeline's graphlets are one :NEXT chain
//   (graphlets/link_next), ordered by trainer start, ties by trainer MLMD id: the preceding graphlets
//   are collected latest first by that order, without a path variable (a named path makes the server
//   build every path of 1..100 links, quadratic in the window: this form took half the server time
//   of reading the longest path back, on the same chunks, with the same rows). The own start is the
//   graphlet's `own_start`, written by the graphlet builder from its member sets
//   (graphlets/history_facts): deriving it here was most of this statement's work (an Expand(Into)
//   per member execution, ~31 db hits each).
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
  OPTIONAL MATCH (p:Graphlet)-[:NEXT*1..100]->(g)
  WITH p
  ORDER BY p.trainer_created DESC, p.trainer_mlmd_id DESC
  RETURN collect(p) AS before
}
WITH g, g.own_start AS own_start, before
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
