// Purpose: The pipelines of a store's graphlets that hold an execution or artifact of the given
//   pipelines: when a pipeline's lineage changed, a graphlet of another pipeline that shares one of
//   its nodes (lineage across pipelines) may change too, so its pipeline is rebuilt as well.
//   Seeks on the execution_pipeline / artifact_pipeline indexes, then each node's [:CONTAINS] links.
// Parameters: $store (string), $pipelines (list of strings)
// Returns: one row: pipelines (list of distinct pipeline names, null for graphlets without one)
CALL () {
  MATCH (x:Execution)
  WHERE x.pipeline IN $pipelines AND x.store = $store
  MATCH (g:Graphlet)-[:CONTAINS]->(x)
  RETURN DISTINCT g.pipeline AS pipeline
  UNION
  MATCH (x:Artifact)
  WHERE x.pipeline IN $pipelines AND x.store = $store
  MATCH (g:Graphlet)-[:CONTAINS]->(x)
  RETURN DISTINCT g.pipeline AS pipeline
}
RETURN collect(DISTINCT pipeline) AS pipelines
