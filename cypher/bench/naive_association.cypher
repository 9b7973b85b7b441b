// Purpose: Naive baseline (benchmarks only): link ONE execution to a context per auto-commit statement.
// Parameters: $node (execution uid), $context (context uid)
// Returns: nothing
MATCH (x:Execution {uid: $node})
MATCH (c:Context {uid: $context})
MERGE (x)-[:IN_CONTEXT]->(c)
