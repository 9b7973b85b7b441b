// Purpose: The nodes of one pipeline's subgraph: its :Pipeline context, its executions, every
//   artifact they read or wrote, every context they belong to (runs, nodes…) and its graphlets.
// Parameters: $pipeline (string: pipeline name), $store (string)
// Returns: one row per node: id (elementId, for the edge query), labels, props (map)
MATCH (p:Pipeline {name: $pipeline, store: $store})
CALL (p) {
  RETURN p AS n
  UNION
  MATCH (e:Execution {pipeline: p.name})
  WHERE e.store = p.store
  RETURN e AS n
  UNION
  MATCH (e:Execution {pipeline: p.name})-[:INPUT|OUTPUT]-(a:Artifact)
  WHERE e.store = p.store
  RETURN a AS n
  UNION
  MATCH (e:Execution {pipeline: p.name})-[:IN_CONTEXT]->(c:Context)
  WHERE e.store = p.store
  RETURN c AS n
  UNION
  MATCH (g:Graphlet {pipeline: p.name})
  WHERE g.store = p.store
  RETURN g AS n
}
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props
ORDER BY props.uid
