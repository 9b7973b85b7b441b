// Purpose: Upsert a batch of MLMD contexts. `SET n = row.props` replaces all properties, so a
//   reloaded context that lost a property loses it here too. Pipeline/run contexts also get the
//   labels :Pipeline / :Run (dynamic labels, Neo4j 5.26).
// Parameters: $rows (list of maps: uid string, props map, labels list of strings)
// Returns: written (int)
UNWIND $rows AS row
MERGE (n:Context {uid: row.uid})
SET n = row.props
SET n:$(row.labels)
RETURN count(n) AS written
