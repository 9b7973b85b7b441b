// Purpose: Every node of one store with its labels and properties (for export and comparisons).
// Parameters: $store (string)
// Returns: one row per node: uid, labels (sorted list), props (map)
MATCH (n)
WHERE (n:Execution OR n:Artifact OR n:Context) AND n.store = $store
RETURN n.uid AS uid, [l IN labels(n) | l] AS labels, properties(n) AS props
