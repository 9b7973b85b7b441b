// Purpose: The executions held by the given graphlets (before they are rewritten or deleted): every
//   graphlet sharing one of them must have its cost shares recomputed.
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row per distinct execution: id (elementId)
UNWIND $uids AS u
MATCH (:Graphlet {uid: u})-[:CONTAINS]->(x:Execution)
RETURN DISTINCT elementId(x) AS id
