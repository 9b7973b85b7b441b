// Purpose: Wait until every index is online (after `mlprov load --bulk` created them on the imported
//   database), so the load reports done only when the graph is as queryable as a transactional one.
// Parameters: $seconds (int, the longest wait)
// Returns: nothing
CALL db.awaitIndexes($seconds)
