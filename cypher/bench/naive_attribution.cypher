// Purpose: Naive baseline (benchmarks only): link ONE artifact to a context per auto-commit statement.
// Parameters: $node (artifact uid), $context (context uid)
// Returns: nothing
MATCH (x:Artifact {uid: $node})
MATCH (c:Context {uid: $context})
MERGE (x)-[:IN_CONTEXT]->(c)
