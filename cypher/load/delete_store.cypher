// Purpose: Delete a store's bookkeeping node (after its nodes are gone).
// Parameters: $name (string)
// Returns: deleted (int)
MATCH (s:Store {name: $name})
DETACH DELETE s
RETURN count(*) AS deleted
