// Purpose: Mark a store as being loaded (status 'loading') before its first write, creating the
//   :Store node on first load. Graph queries treat a store as complete only when status = 'complete'.
//   The first store of a warehouse also creates its :Warehouse node with the graph model version
//   that writes it, in the same transaction (loader/model.py MODEL_VERSION; checked by every command).
// Parameters: $name (string), $props (map: source, kind, schema_version, fingerprint, ...),
//   $model_version (int)
// Returns: name (string)
MERGE (w:Warehouse {id: 'mlprov'})
  ON CREATE SET w.graph_model_version = $model_version
MERGE (s:Store {name: $name})
SET s += $props, s.status = 'loading'
RETURN s.name AS name
