// Purpose: The execution or artifact with the given uid (start of a lineage walk).
// Parameters: $uid (string)
// Returns: at most one row: uid, node ('Execution' or 'Artifact'), kind, state, created,
//   store, name
CALL () {
  MATCH (n:Execution {uid: $uid}) RETURN n
  UNION
  MATCH (n:Artifact {uid: $uid}) RETURN n
}
RETURN n.uid AS uid, CASE WHEN n:Execution THEN 'Execution' ELSE 'Artifact' END AS node,
       n.kind AS kind, n.state AS state, n.created AS created, n.store AS store, n.name AS name
