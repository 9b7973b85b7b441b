// Purpose: The push history: every model a Pusher pushed (a PushedModel output whose `pushed`
//   property is 1/true), at the time of its first OUTPUT event (a CACHED Pusher that re-publishes
//   the same PushedModel is not a new push), with the trained model it pushed.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per push, in time order: store, pipeline, pushed_at (ms since epoch), day
//   (UTC date), pushed_model (uid), version, destination, pusher (uid), model (uid of the Model
//   the Pusher read, or null), n (running count of pushes of the store)
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (p:Execution {store: st.name})-[o:OUTPUT]->(m:Artifact {kind: 'PushedModel'})
WHERE p.kind = 'Pusher' AND toBooleanOrNull(coalesce(m.c_pushed, m.p_pushed))
WITH m, p, coalesce(o.time, m.created, p.updated) AS t
ORDER BY t, p.mlmd_id
WITH m, collect({p: p, t: t})[0] AS first
WITH m, first.p AS p, first.t AS pushed_at
ORDER BY p.store, pushed_at, m.mlmd_id
WITH p.store AS store, collect({m: m, p: p, t: pushed_at}) AS pushes
UNWIND range(0, size(pushes) - 1) AS i
WITH store, pushes[i] AS x, i + 1 AS n
RETURN store, x.p.pipeline AS pipeline, x.t AS pushed_at,
       toString(date(datetime({epochMillis: x.t}))) AS day,
       x.m.uid AS pushed_model, coalesce(x.m.c_pushed_version, x.m.p_pushed_version) AS version,
       coalesce(x.m.c_pushed_destination, x.m.p_pushed_destination) AS destination,
       x.p.uid AS pusher,
       COLLECT { MATCH (model:Artifact {kind: 'Model'})-[:INPUT]->(pp:Execution {uid: x.p.uid})
                 RETURN model.uid ORDER BY model.uid }[0] AS model,
       n
ORDER BY pushed_at, store, pushed_model
