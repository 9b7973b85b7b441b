// Purpose: Write the history facts the graphlet builder derives from its member sets (graphlets/builder.py):
//   `own_start`, the earliest creation time of the graphlet's executions that its :NEXT predecessor does not
//   hold (of all of its executions when it has none; removed when none has a time), and `prev_in_time`, for
//   each of up to 10 preceding graphlets along :NEXT (latest first), whether it ended no later than the
//   earliest start of the graphlet's executions that predecessor does not hold. The features' push-outcome
//   columns read them (features/history, features/push_history). Only graphlets whose facts changed are sent.
// Parameters: $rows (list of maps: uid string, own_start int or null, prev_in_time list of booleans)
// Returns: written (int)
UNWIND $rows AS row
MATCH (g:Graphlet {uid: row.uid})
SET g.own_start = row.own_start, g.prev_in_time = row.prev_in_time
RETURN count(g) AS written
