// Purpose: Which pipelines' graphlets may have changed since the frame's keys were last computed, without
//   reading the graphlets: `mlprov graphlets` rewrites the :PipelineSummary of every pipeline whose graphlets
//   it rebuilt, re-costed or relinked (core/summaries.py), so a pipeline whose summary kept its write time
//   kept its graphlets. A store's summaries tell this only when its graphlets were last built whole after
//   its last load and no build is under way (the builder's marker starts with the load time it was built
//   from, graphlets/store_mark) and they count every graphlet of the store (none without a pipeline, none
//   written without a summary); `trusted` says so, else the store's keys are read from its graphlets.
// Parameters: none
// Returns: one row per completely loaded store: store, trusted (bool), graphlets (int: the store's graphlets),
//   pipelines (list of [pipeline, written_at (int: ms since epoch), graphlets (int)] per :PipelineSummary)
MATCH (st:Store {status: 'complete'})
WITH st, COUNT { MATCH (g:Graphlet {store: st.name}) } AS graphlets,
     COLLECT { MATCH (s:PipelineSummary {store: st.name}) RETURN [s.pipeline, s.written_at, s.graphlets] } AS pipelines
RETURN st.name AS store, graphlets, pipelines,
       NOT coalesce(st.graphlets_building, false)
       AND coalesce(st.graphlets_marker STARTS WITH toString(st.loaded_at) + ':', false)
       AND reduce(n = 0, p IN pipelines | n + coalesce(p[2], 0)) = graphlets AS trusted
ORDER BY store
