// Purpose: Per loaded store: its pipelines and model graphlets, pushed and decided, for the
//   Overview page's store table (joined there with load/stores).
// Parameters: none
// Returns: one row per store: name, pipelines, graphlets, pushed, decided
MATCH (s:Store)
RETURN s.name AS name,
       COUNT { MATCH (p:Pipeline) WHERE p.store = s.name } AS pipelines,
       COUNT { MATCH (g:Graphlet) WHERE g.store = s.name } AS graphlets,
       COUNT { MATCH (g:Graphlet) WHERE g.store = s.name AND g.pushed } AS pushed,
       COUNT { MATCH (g:Graphlet) WHERE g.store = s.name AND g.pushed IS NOT NULL } AS decided
ORDER BY name
