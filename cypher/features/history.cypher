// Purpose: The links of the history part of the feature frame (docs/predictor.md): each graphlet with
//   each of its k preceding graphlets along :NEXT (lag 1 = the previous one), and `prev_pushed` = the
//   predecessor's push outcome (1/0) when it was known before g's own work began — the predecessor
//   ended (its last execution, the Pusher included, finished) no later than the earliest start of
//   g's executions that the predecessor does not share — else null (an A/B sibling trained in the
//   same run, an undecided predecessor). Graphlets with fewer than k predecessors get fewer rows
//   (missing history is missing). What the pair's other features compare (code version, span sets,
//   statistics) is read once per graphlet by features/spans and paired in features/frame.py.
//   Whether each predecessor ended in time is a fact the graphlet builder wrote from its member sets
//   (`prev_in_time`, graphlets/history_facts): comparing the member sets here was most of this
//   statement's work (an Expand(Into) per member execution and predecessor, ~31 db hits each).
// Parameters: $uids (list of graphlet uid strings), $k (int: history window, at most 10)
// Returns: one row: links (list of [uid, lag (int), previous (uid), prev_pushed (int or null)] per
//   (graphlet, lag), ordered by uid and lag; one row, not one per link, because the driver's cost is per
//   record)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
MATCH path = (p:Graphlet)-[:NEXT*1..10]->(g)
WITH g, p, length(path) AS lag
WHERE lag <= $k
WITH g.uid AS uid, lag, p.uid AS previous,
     CASE WHEN p.pushed IS NULL OR NOT coalesce(g.prev_in_time[lag - 1], false) THEN null
          WHEN p.pushed THEN 1 ELSE 0 END AS prev_pushed
ORDER BY uid, lag
RETURN collect([uid, lag, previous, prev_pushed]) AS links
