// Purpose: The whole life of one pipeline, aggregated: its executions per UTC day and operator
//   kind (the Pipelines page's overview of a trace too large to draw execution by execution).
// Parameters: $store (string), $pipeline (string)
// Returns: one row per (day, kind): day (UTC date as text), kind, executions, cost (seconds)
MATCH (e:Execution {pipeline: $pipeline})
WHERE e.store = $store AND e.created IS NOT NULL
RETURN toString(date(datetime({epochMillis: e.created}))) AS day, e.kind AS kind, count(e) AS executions,
       sum(coalesce(e.cost, 0.0)) AS cost
ORDER BY day, kind
