// Purpose: Benchmarks: count the whole graph's nodes and relationships (to check a load is complete).
// Parameters: none
// Returns: nodes (int), relationships (int)
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
