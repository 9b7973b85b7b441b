// Purpose: Record the graph model version of the warehouse on its one :Warehouse node (after each
//   migration step, by `mlprov migrate`).
// Parameters: $version (int)
// Returns: version (int)
MERGE (w:Warehouse {id: 'mlprov'})
SET w.graph_model_version = $version
RETURN w.graph_model_version AS version
