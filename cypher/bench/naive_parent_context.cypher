// Purpose: Naive baseline (benchmarks only): link ONE child context to its parent per auto-commit statement.
// Parameters: $child (context uid), $parent (context uid)
// Returns: nothing
MATCH (c:Context {uid: $child})
MATCH (p:Context {uid: $parent})
MERGE (c)-[:CHILD_OF]->(p)
