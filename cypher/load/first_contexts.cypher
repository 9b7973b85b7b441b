// Purpose: First load of a store (it had no :Store node, so none of its nodes exist): CREATE a batch
//   of MLMD contexts instead of MERGE, with :Pipeline / :Run labels (dynamic labels, Neo4j 5.26);
//   the uniqueness constraint on uid still guards them.
// Parameters: $rows (list of maps: uid string, props map, labels list of strings)
// Returns: written (int)
UNWIND $rows AS row
CREATE (n:Context)
SET n = row.props
SET n:$(row.labels)
RETURN count(n) AS written
