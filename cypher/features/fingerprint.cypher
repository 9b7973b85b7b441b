// Purpose: What the feature frame depends on, for its cache key: every graphlet with its signature
//   (trainer and members), push label, cost and predecessor. Any rebuild that changes a graphlet,
//   its label, its cost or its :NEXT link changes the rows returned here.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: none
// Returns: one row per graphlet: uid, signature, pushed, cost, previous (uid of the :NEXT
//   predecessor or null); ordered by uid
MATCH (st:Store {status: 'complete'})
MATCH (g:Graphlet {store: st.name})
RETURN g.uid AS uid, g.signature AS signature, g.pushed AS pushed, g.cost AS cost,
       COLLECT { MATCH (p:Graphlet)-[:NEXT]->(g) RETURN p.uid }[0] AS previous
ORDER BY uid
