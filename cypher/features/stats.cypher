// Purpose: The per-feature summary statistics recorded on ExampleStatistics artifacts (the
//   `feature_stats` custom or registered property: JSON text {"<feature>": {"mean": x, "std": y}}),
//   for the dataset similarity of the feature frame, with the artifact's URI (where TFX keeps the
//   statistics as TFDV files when there is no such property).
// Parameters: $uids (list of artifact uid strings)
// Returns: one row per artifact found: uid, stats (JSON string or null), uri (string or null)
UNWIND $uids AS u
MATCH (a:Artifact {uid: u})
RETURN a.uid AS uid, coalesce(a.c_feature_stats, a.p_feature_stats) AS stats, a.uri AS uri
