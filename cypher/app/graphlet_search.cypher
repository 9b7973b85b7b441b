// Purpose: Model graphlets whose uid, pipeline or trainer uid contains a text (case-insensitive),
//   among the graphlets of some stores (the store index), for the Graphlet page's search box; most
//   recent trainers first.
// Parameters: $stores (list of store names), $text (string), $limit (int)
// Returns: one row per graphlet: uid, store, pipeline, trainer_created (ms since epoch), pushed
MATCH (g:Graphlet)
USING INDEX g:Graphlet(store)
WHERE g.store IN $stores
  AND (toLower(g.uid) CONTAINS toLower($text) OR toLower(coalesce(g.pipeline, '')) CONTAINS toLower($text)
       OR toLower(g.trainer_uid) CONTAINS toLower($text))
RETURN g.uid AS uid, g.store AS store, g.pipeline AS pipeline, g.trainer_created AS trainer_created,
       g.pushed AS pushed
ORDER BY trainer_created DESC, uid
LIMIT $limit
