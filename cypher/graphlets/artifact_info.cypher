// Purpose: What the graphlet builder needs to know about the artifacts of the executions it reached:
//   identity, state and update time (part of a graphlet's signature), and whether it is a data-span
//   artifact (one with a span, or of kind Examples / ExampleStatistics: rule (b) of
//   docs/graphlets.md). Read once per artifact per build and cached by the caller, however many of
//   the reached executions read or wrote it.
// Parameters: $ids (list of artifact elementId strings)
// Returns: one row: artifacts (list of [id, uid, state, updated, span (bool)] per artifact found; one
//   row, not one per artifact, because the driver's cost is per record)
UNWIND $ids AS aid
MATCH (a:Artifact)
WHERE elementId(a) = aid
RETURN collect([aid, a.uid, a.state, a.updated, a.span IS NOT NULL OR a.kind IN ['Examples', 'ExampleStatistics']])
       AS artifacts
