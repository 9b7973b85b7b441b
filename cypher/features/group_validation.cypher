// Purpose: The `validation` feature group (features/registry.py): what model validation decided for each
//   graphlet, as the mean `blessed` flag of the ModelBlessing and of the InfraBlessing artifacts
//   written by its post-trainer executions (an artifact counted once per writing execution).
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row per graphlet: uid, val_model_blessed, val_infra_blessed (float, null when the
//   graphlet has no such artifact)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
OPTIONAL MATCH (g)-[:CONTAINS]->(x:Execution {category: 'post-trainer'})-[:OUTPUT]->(b:Artifact)
WHERE b.kind IN ['ModelBlessing', 'InfraBlessing'] AND coalesce(b.c_blessed, b.p_blessed) IS NOT NULL
WITH g, b.kind AS kind, toFloat(toInteger(coalesce(b.c_blessed, b.p_blessed))) AS flag
RETURN g.uid AS uid,
       avg(CASE kind WHEN 'ModelBlessing' THEN flag END) AS val_model_blessed,
       avg(CASE kind WHEN 'InfraBlessing' THEN flag END) AS val_infra_blessed
