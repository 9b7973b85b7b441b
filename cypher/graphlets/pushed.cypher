// Purpose: Decide `pushed` of the given graphlets (docs/graphlets.md). Only a graphlet whose trainer
//   COMPLETEd is decided (else null). Each Pusher in the graphlet decides: true when an output
//   records a push (`pushed` custom/registered property, 1/true), or when it COMPLETEd with outputs
//   none of which has the property; false when it COMPLETEd otherwise, or recorded pushed = 0;
//   undecided (null) when it did not finish and recorded nothing. The graphlet is pushed when any
//   Pusher pushed, false when some decided and none pushed, null when no Pusher decided.
//   The caller names each graphlet's Pusher members (the builder has every member's kind in memory), so
//   the statement seeks them by elementId instead of expanding the graphlet's [:CONTAINS] links (~150
//   per graphlet, each with a label and kind check: 228k db hits per 1,000 graphlets at `bench`).
// Parameters: $rows (list of maps: uid string, pushers list of the elementIds of the graphlet's member
//   executions of kind 'Pusher')
// Returns: pushed (int: graphlets with pushed = true among the given ones)
UNWIND $rows AS row
MATCH (g:Graphlet {uid: row.uid})
CALL (row) {
  OPTIONAL MATCH (p:Execution)
  WHERE elementId(p) IN row.pushers
  CALL (p) {
    OPTIONAL MATCH (p)-[:OUTPUT]->(m:Artifact)
    RETURN count(m) AS outs, [f IN collect(coalesce(m.c_pushed, m.p_pushed)) | toBooleanOrNull(f)] AS flags
  }
  WITH p, outs, [f IN flags WHERE f IS NOT NULL] AS flags
  RETURN collect(CASE
                   WHEN p IS NULL THEN null
                   WHEN true IN flags THEN true
                   WHEN size(flags) > 0 THEN false
                   WHEN p.state = 'COMPLETE' THEN outs > 0
                   ELSE null
                 END) AS decisions
}
WITH g, CASE
          WHEN g.trainer_state IS NULL OR g.trainer_state <> 'COMPLETE' THEN null
          WHEN true IN decisions THEN true
          WHEN size(decisions) > 0 THEN false
          ELSE null
        END AS pushed
SET g.pushed = pushed
RETURN count(CASE WHEN pushed THEN 1 END) AS pushed
