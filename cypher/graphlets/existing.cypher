// Purpose: The graphlets already built for one store, with what the incremental rebuild compares:
//   the member signature and the pipeline (to relink :NEXT of the pipelines they leave or join).
// Parameters: $store (string)
// Returns: one row per graphlet: uid, signature (string), pipeline (string or null)
MATCH (g:Graphlet)
WHERE g.store = $store
RETURN g.uid AS uid, g.signature AS signature, g.pipeline AS pipeline
