// Purpose: Whether one store's summary (:StoreSummary) was computed from its current load, so
//   `mlprov graphlets` can write the summaries of a store whose graphlets it skips as unchanged
//   (stores built before summaries existed, or summaries deleted).
// Parameters: $store (string)
// Returns: at most one row: current (boolean)
MATCH (st:Store {name: $store})
OPTIONAL MATCH (s:StoreSummary {store: $store})
RETURN s IS NOT NULL AND s.loaded_at = st.loaded_at AS current
