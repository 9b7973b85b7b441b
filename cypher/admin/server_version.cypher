// Purpose: The Neo4j server's version (used to check a connection end to end).
// Parameters: none
// Returns: version (string)
CALL dbms.components() YIELD versions
RETURN versions[0] AS version
