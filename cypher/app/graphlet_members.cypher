// Purpose: One page of a model graphlet's members in time order, for the Graphlet page's member
//   table and subgraph (a graphlet can hold thousands). Paged with $skip / $limit.
// Parameters: $uid (string: graphlet uid), $skip (int), $limit (int)
// Returns: one row per member: member (uid), node ('Execution' or 'Artifact'), kind, state, created
//   (ms since epoch)
MATCH (g:Graphlet {uid: $uid})-[:CONTAINS]->(x)
WITH x.uid AS member, CASE WHEN x:Execution THEN 'Execution' ELSE 'Artifact' END AS node, x.kind AS kind,
     x.state AS state, x.created AS created
ORDER BY created, node DESC, member
SKIP $skip
LIMIT $limit
RETURN member, node, kind, state, created
