// Purpose: Models trained per day: model graphlets by the UTC day their trainer started, with how
//   many of them were pushed and how many were not (the rest are undecided).
// Parameters: $store (string, optional: all stores)
// Returns: one row per day: day (UTC date as text), models, pushed, unpushed; in day order
MATCH (g:Graphlet)
WHERE ($store IS NULL OR g.store = $store) AND g.trainer_created IS NOT NULL
WITH toString(date(datetime({epochMillis: g.trainer_created}))) AS day, g
RETURN day, count(g) AS models, count(CASE WHEN g.pushed THEN 1 END) AS pushed,
       count(CASE WHEN NOT g.pushed THEN 1 END) AS unpushed
ORDER BY day
