// Purpose: Streaks of consecutive unpushed model graphlets of each pipeline (graphlets in trainer
//   order; a push ends a streak; graphlets whose push is undecided are skipped). The study counts
//   ~3 unpushed graphlets between consecutive pushes.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores), $min_length (int, optional: 1)
// Returns: one row per streak: store, pipeline, length, first_graphlet, last_graphlet, started,
//   ended (ms since epoch), cost (seconds), ended_by_push (false for a streak still open);
//   longest first
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (g:Graphlet {store: st.name})
WHERE g.pushed IS NOT NULL
WITH g
ORDER BY g.store, g.pipeline, g.trainer_created, g.trainer_mlmd_id
WITH g.store AS store, g.pipeline AS pipeline,
     collect({uid: g.uid, pushed: g.pushed, cost: coalesce(g.cost, 0.0), started: g.started, ended: g.ended}) AS gs
WITH store, pipeline,
     reduce(acc = {open: [], done: []}, x IN gs |
       CASE WHEN x.pushed
         THEN {open: [], done: acc.done + CASE WHEN size(acc.open) > 0 THEN [acc.open] ELSE [] END}
         ELSE {open: acc.open + [x], done: acc.done}
       END) AS acc
UNWIND [s IN acc.done | {s: s, closed: true}] + CASE WHEN size(acc.open) > 0 THEN [{s: acc.open, closed: false}] ELSE [] END AS streak
WITH store, pipeline, streak.s AS s, streak.closed AS ended_by_push
WHERE size(s) >= coalesce($min_length, 1)
RETURN store, pipeline, size(s) AS length, s[0].uid AS first_graphlet, s[-1].uid AS last_graphlet,
       s[0].started AS started, s[-1].ended AS ended,
       reduce(c = 0.0, x IN s | c + x.cost) AS cost, ended_by_push
ORDER BY length DESC, store, pipeline, started
