// Purpose: Every uid the graph holds for one store, by kind: nodes (executions, artifacts,
//   contexts) and event relationships. Used by `mlprov load --prune` to find vanished rows; the
//   rows are streamed to the caller (`Warehouse.stream`), nothing is collected or sorted here.
// Parameters: $store (string)
// Returns: one row per element: kind ('e', 'a', 'c' or 'ev'), uid
CALL () {
  MATCH (n:Execution {store: $store}) RETURN 'e' AS kind, n.uid AS uid
  UNION ALL
  MATCH (n:Artifact {store: $store}) RETURN 'a' AS kind, n.uid AS uid
  UNION ALL
  MATCH (n:Context {store: $store}) RETURN 'c' AS kind, n.uid AS uid
  UNION ALL
  MATCH (:Execution {store: $store})-[r:INPUT|OUTPUT]-() RETURN 'ev' AS kind, r.uid AS uid
}
RETURN kind, uid
