// Purpose: Derive each execution's `pipeline` (name of the :Pipeline context it belongs to) for the
//   executions of a store that lack it. Executions in no pipeline context keep it null.
// Parameters: $store (string)
// Returns: updated (int)
MATCH (e:Execution {store: $store})
WHERE e.pipeline IS NULL
MATCH (e)-[:IN_CONTEXT]->(p:Pipeline)
WITH e, min(p.name) AS pipeline
SET e.pipeline = pipeline
RETURN count(e) AS updated
