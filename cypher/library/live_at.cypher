// Purpose: What was live at an instant: each pipeline's latest pushed model at or before $at,
//   from the push history (see library/pushes). Pipelines that had pushed nothing by then are
//   left out.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $at (int: ms since epoch), $store (string, optional: all stores)
// Returns: one row per pipeline with a live model: store, pipeline, pushed_model (uid), version,
//   destination, pushed_at (ms since epoch), pusher (uid), model (uid of the Model pushed, or
//   null), pushes_before (pushes of the pipeline up to $at)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (p:Execution {store: st.name})-[o:OUTPUT]->(m:Artifact {kind: 'PushedModel'})
WHERE p.kind = 'Pusher' AND toBooleanOrNull(coalesce(m.c_pushed, m.p_pushed))
WITH m, p, coalesce(o.time, m.created, p.updated) AS t
ORDER BY t, p.mlmd_id
WITH m, collect({p: p, t: t})[0] AS first
WHERE first.t <= $at
WITH first.p AS p, m, first.t AS pushed_at
ORDER BY pushed_at DESC, m.mlmd_id DESC
WITH p.store AS store, p.pipeline AS pipeline, collect({m: m, p: p, t: pushed_at}) AS pushes
WITH store, pipeline, pushes[0] AS live, size(pushes) AS pushes_before
RETURN store, pipeline, live.m.uid AS pushed_model,
       coalesce(live.m.c_pushed_version, live.m.p_pushed_version) AS version,
       coalesce(live.m.c_pushed_destination, live.m.p_pushed_destination) AS destination,
       live.t AS pushed_at, live.p.uid AS pusher,
       COLLECT { MATCH (model:Artifact {kind: 'Model'})-[:INPUT]->(pp:Execution {uid: live.p.uid})
                 RETURN model.uid ORDER BY model.uid }[0] AS model,
       pushes_before
ORDER BY store, pipeline
