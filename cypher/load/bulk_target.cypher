// Purpose: Whether the warehouse is empty enough for `mlprov load --bulk` (which replaces the whole
//   database): how many nodes it holds, and the names of a few loaded stores for the refusal message.
// Parameters: none
// Returns: nodes (int), stores (list of up to 5 store names)
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH (s:Store) RETURN collect(s.name)[..5] AS stores }
RETURN nodes, stores
