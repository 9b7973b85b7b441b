// Purpose: Count what the graph holds for one store (nodes by label, events by direction). Reads
//   only and aggregates with count(): its memory does not grow with the store.
// Parameters: $store (string)
// Returns: executions, artifacts, contexts, inputs, outputs (ints)
CALL (){ MATCH (n:Execution {store: $store}) RETURN count(n) AS executions }
CALL (){ MATCH (n:Artifact {store: $store}) RETURN count(n) AS artifacts }
CALL (){ MATCH (n:Context {store: $store}) RETURN count(n) AS contexts }
CALL (){ MATCH (:Execution {store: $store})<-[r:INPUT]-() RETURN count(r) AS inputs }
CALL (){ MATCH (:Execution {store: $store})-[r:OUTPUT]->() RETURN count(r) AS outputs }
RETURN executions, artifacts, contexts, inputs, outputs
