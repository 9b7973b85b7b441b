// Purpose: Benchmark only (tests/bench/bench_app.py): give every store summary a new write time, as
//   `mlprov graphlets` / `mlprov predict` would, so the app's cache (keyed on those times) misses and
//   the next page load is a cold one.
// Parameters: $now (int: ms since epoch)
// Returns: touched (int)
MATCH (s:StoreSummary)
USING INDEX s:StoreSummary(store)
WHERE s.store IS NOT NULL
SET s.written_at = $now
RETURN count(s) AS touched
