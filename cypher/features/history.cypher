// Purpose: The history part of the feature frame (docs/predictor.md): each graphlet against each of its k
//   preceding graphlets along :NEXT (lag 1 = the previous one). Input span sets are the distinct
//   `span` values of the Examples artifacts a graphlet holds; `jaccard` = |A ∩ B| / |A ∪ B| (null
//   when either set is empty). `pairs` pairs the spans by ordinal position (the i-th smallest span
//   of g with the i-th smallest of the predecessor, i < the smaller count) and gives, for each pair,
//   the uids of the two spans' ExampleStatistics artifacts held by the graphlets (the latest
//   created one per span; null where a span has none; an ExampleStatistics without a `span` of its
//   own, as real TFX writes them, has the span of the Examples its StatisticsGen read); the dataset
//   similarity itself is computed from their `feature_stats` (or their TFDV files) in
//   features/frame.py. `code_changed` = 1 when the trainers' code
//   versions (code_version property, else module_path / module_file, whose TFX wheel name carries
//   the code digest) differ, 0 when equal, null when either is unknown. `prev_pushed` = the
//   predecessor's push outcome (1/0) when it was known before g's own work began — the predecessor
//   ended (its last execution, the Pusher included, finished) no later than the earliest start of
//   g's executions that the predecessor does not share — else null (an A/B sibling trained in the
//   same run, an undecided predecessor). Graphlets with fewer than k predecessors get fewer rows
//   (missing history is missing).
// Parameters: $uids (list of graphlet uid strings), $k (int: history window, at most 10)
// Returns: one row per (graphlet, lag): uid, lag (int), previous (uid), jaccard (float or null),
//   code_changed (int or null), prev_pushed (int or null), pairs (list of [uid or null, uid or null])
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
CALL (g) {
  OPTIONAL MATCH (t:Execution {uid: g.trainer_uid})
  RETURN coalesce(t.c_code_version, t.p_code_version, t.c_module_path, t.p_module_path, t.c_module_file,
                  t.p_module_file) AS code,
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
}
MATCH path = (p:Graphlet)-[:NEXT*1..10]->(g)
WITH g, code, spans, stats, p, length(path) AS lag
WHERE lag <= $k
CALL (p) {
  OPTIONAL MATCH (t:Execution {uid: p.trainer_uid})
  RETURN coalesce(t.c_code_version, t.p_code_version, t.c_module_path, t.p_module_path, t.c_module_file,
                  t.p_module_file) AS p_code,
         COLLECT {
           MATCH (p)-[:CONTAINS]->(a:Artifact)
           WHERE a.kind = 'Examples' AND a.span IS NOT NULL
           RETURN DISTINCT a.span AS s ORDER BY s
         } AS p_spans,
         COLLECT {
           MATCH (p)-[:CONTAINS]->(a:Artifact)
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
         } AS p_stats
}
CALL (g, p) {
  MATCH (g)-[:CONTAINS]->(x:Execution)
  WHERE NOT (p)-[:CONTAINS]->(x)
  RETURN min(x.created) AS own_start
}
WITH g, lag, p, code, p_code, spans, p_spans, stats, p_stats, own_start,
     size([s IN spans WHERE s IN p_spans]) AS common
RETURN g.uid AS uid, lag, p.uid AS previous,
       CASE WHEN size(spans) = 0 OR size(p_spans) = 0 THEN null
            ELSE toFloat(common) / (size(spans) + size(p_spans) - common) END AS jaccard,
       CASE WHEN code IS NULL OR p_code IS NULL THEN null WHEN code = p_code THEN 0 ELSE 1 END AS code_changed,
       CASE WHEN p.pushed IS NULL OR p.ended IS NULL OR own_start IS NULL OR p.ended > own_start THEN null
            WHEN p.pushed THEN 1 ELSE 0 END AS prev_pushed,
       [i IN range(0, CASE WHEN size(spans) < size(p_spans) THEN size(spans) ELSE size(p_spans) END - 1) |
         [head([x IN stats WHERE x[0] = spans[i] | x[1]]), head([x IN p_stats WHERE x[0] = p_spans[i] | x[1]])]
       ] AS pairs
ORDER BY uid, lag
