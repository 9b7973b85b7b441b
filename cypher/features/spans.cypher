// Purpose: What the history features (features/history, docs/predictor.md) compare between a graphlet
//   and its preceding graphlets, read once per graphlet (features/frame.py pairs each graphlet with
//   its k predecessors from these rows, so a predecessor's lists are not recomputed for every lag and
//   every later graphlet). `code` is the trainer's code version (code_version property, else
//   module_path / module_file, whose TFX wheel name carries the code digest); `spans` the distinct
//   `span` values of the Examples artifacts the graphlet holds, in order; `stats` per span the uid
//   of its ExampleStatistics artifact held by the graphlet (the latest created one per span; an
//   ExampleStatistics without a `span` of its own, as real TFX writes them, has the span of the
//   Examples its StatisticsGen read).
// Parameters: $uids (list of graphlet uid strings)
// Returns: one row: graphlets (list of [uid, code (string or null), spans (sorted list of spans), stats
//   (list of [span, ExampleStatistics uid])] per graphlet found; one row, not one per graphlet, because
//   the driver's cost is per record)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
CALL (g) {
  OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
  RETURN coalesce(t.c_code_version, t.p_code_version, t.c_module_path, t.p_module_path, t.c_module_file,
                  t.p_module_file) AS code
}
WITH g, code,
     COLLECT {
       MATCH (g)-[:CONTAINS]->(a:Artifact)
       WHERE a.kind = 'Examples' AND a.span IS NOT NULL
       RETURN DISTINCT a.span AS s ORDER BY s
     } AS spans,
     COLLECT {
       MATCH (g)-[:CONTAINS]->(a:Artifact)
       WHERE a.kind = 'ExampleStatistics'
       WITH a, coalesce(a.span, head(COLLECT {
              MATCH (x:Artifact)-[:INPUT]->(:Execution {kind: 'StatisticsGen'})-[:OUTPUT]->(a)
              WHERE x.kind = 'Examples' AND x.span IS NOT NULL
              RETURN x.span ORDER BY x.span
            })) AS s
       WHERE s IS NOT NULL
       WITH a, s ORDER BY a.created DESC, a.mlmd_id DESC
       WITH s, collect(a.uid)[0] AS stats
       RETURN [s, stats]
     } AS stats
RETURN collect([g.uid, code, spans, stats]) AS graphlets
