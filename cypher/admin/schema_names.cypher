// Purpose: The names of the database's indexes (a uniqueness constraint's backing index has the
//   constraint's name), so that applying a schema file (cypher/schema/) skips the statements whose index
//   or constraint exists already: each statement is a schema transaction of its own, ~20 round trips
//   for nothing on every `mlprov graphlets` otherwise.
// Parameters: none
// Returns: one row: names (list of strings)
SHOW INDEXES YIELD name
RETURN collect(name) AS names
