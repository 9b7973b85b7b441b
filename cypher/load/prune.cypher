// Purpose: Delete the given vanished elements of a store: event relationships, then nodes with
//   their remaining relationships. Only run by `mlprov load --prune` after the guard share check,
//   one kind at a time in batches of at most the load's batch size (the other lists empty), each
//   batch split further when it exceeds the server's transaction memory.
// Parameters: $events, $executions, $artifacts, $contexts (lists of uid strings)
// Returns: deleted (int)
CALL () { UNWIND $events AS u MATCH ()-[r:INPUT {uid: u}]->() DELETE r RETURN count(*) AS d1 }
CALL () { UNWIND $events AS u MATCH ()-[r:OUTPUT {uid: u}]->() DELETE r RETURN count(*) AS d2 }
CALL () { UNWIND $executions AS u MATCH (x:Execution {uid: u}) DETACH DELETE x RETURN count(*) AS d3 }
CALL () { UNWIND $artifacts AS u MATCH (x:Artifact {uid: u}) DETACH DELETE x RETURN count(*) AS d4 }
CALL () { UNWIND $contexts AS u MATCH (x:Context {uid: u}) DETACH DELETE x RETURN count(*) AS d5 }
RETURN size($events) + size($executions) + size($artifacts) + size($contexts) AS deleted
