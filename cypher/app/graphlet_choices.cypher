// Purpose: The Graphlet page's graphlet picker: at most $limit graphlets of one pipeline in trainer
//   order around the graphlet shown ($uid; the pipeline's latest ones when $uid is null or not one of
//   them), with how many the pipeline holds. Index-backed (the graphlets of one pipeline); only the
//   listed ones are sent.
// Parameters: $store (string), $pipeline (string), $uid (string or null), $limit (int, at least 1)
// Returns: one row per listed graphlet in trainer order: uid, trainer_created (ms since epoch), pushed
//   (true, false or null when undecided), position (0-based in the pipeline's trainer order), total
//   (the pipeline's graphlets)
MATCH (g:Graphlet {pipeline: $pipeline})
WHERE g.store = $store
WITH g ORDER BY g.trainer_created, g.trainer_mlmd_id
WITH collect(g) AS gs
WITH gs, size(gs) AS total, [i IN range(0, size(gs) - 1) WHERE gs[i].uid = $uid][0] AS here
WITH gs, total, coalesce(here, total - 1) - $limit / 2 AS from
WITH gs, total, CASE WHEN from > total - $limit THEN total - $limit ELSE from END AS from
WITH gs, total, CASE WHEN from < 0 THEN 0 ELSE from END AS from
UNWIND range(from, CASE WHEN from + $limit > total THEN total ELSE from + $limit END - 1) AS i
WITH gs[i] AS g, i, total
RETURN g.uid AS uid, g.trainer_created AS trainer_created, g.pushed AS pushed, i AS position, total
