// Purpose: Graph model 1 -> 2: every :Artifact gets `pipeline`, the name of the :Pipeline context
//   it is attributed to (null: none), as the loader writes it since version 2. (At load time
//   load/artifact_pipelines derives it per store.) Bounded transactions of $batch artifacts;
//   idempotent: only artifacts still without a pipeline are touched, so a rerun after an
//   interruption continues, and a rerun after success changes nothing.
// Parameters: $batch (int: artifacts per transaction)
// Returns: nothing
MATCH (a:Artifact)
CALL (a) {
  WITH a
  WHERE a.pipeline IS NULL
  MATCH (a)-[:IN_CONTEXT]->(p:Pipeline)
  WITH a, min(p.name) AS pipeline
  SET a.pipeline = pipeline
} IN TRANSACTIONS OF $batch ROWS
