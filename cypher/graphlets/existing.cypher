// Purpose: The graphlets already built for one store, with what the incremental rebuild compares:
//   the member signature, the pipeline (to relink :NEXT of the pipelines they leave or join) and the
//   history facts (graphlets/history_facts: rewritten only where they changed).
// Parameters: $store (string)
// Returns: one row per graphlet: uid, signature (string), pipeline (string or null), own_start (int or
//   null), prev_in_time (list of booleans, or null when the graphlet was built without history facts)
MATCH (g:Graphlet)
WHERE g.store = $store
RETURN g.uid AS uid, g.signature AS signature, g.pipeline AS pipeline, g.own_start AS own_start,
       g.prev_in_time AS prev_in_time
