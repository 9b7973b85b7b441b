// Purpose: The graph model version the warehouse was written with (mlprov checks it before every
//   command, loader/migrate.py): one seek on the unique :Warehouse(id), and whether any store is loaded
//   (a graph with stores but no :Warehouse node was written before versioning: version 1), answered
//   by the first entry of the unique :Store(name) index (`IS NOT NULL` makes it an index scan, which
//   stops at its first row, rather than a label scan).
// Parameters: none
// Returns: version (int or null: no :Warehouse node), stores (bool: any :Store node)
OPTIONAL MATCH (w:Warehouse {id: 'mlprov'})
RETURN w.graph_model_version AS version, EXISTS { MATCH (s:Store) WHERE s.name IS NOT NULL } AS stores
