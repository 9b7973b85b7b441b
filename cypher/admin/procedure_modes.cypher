// Purpose: The mode (READ, WRITE, SCHEMA, DBMS) of the named procedures, as the server reports it.
//   Used to refuse analyst statements that call DBMS-mode procedures (see analysis/library.py).
// Parameters: $names (list of procedure names)
// Returns: one row per known procedure: name, mode
SHOW PROCEDURES YIELD name, mode
WHERE name IN $names
RETURN name, mode
