// Purpose: The bookkeeping node of one loaded MLMD store (watermarks, fingerprint, status).
// Parameters: $name (string)
// Returns: store (map of the :Store node's properties), or no row
MATCH (s:Store {name: $name})
RETURN properties(s) AS store
