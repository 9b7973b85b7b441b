// Purpose: The per-feature summary statistics recorded on ExampleStatistics artifacts (the
//   `feature_stats` custom or registered property: JSON text {"<feature>": {"mean": x, "std": y}}),
//   for the dataset similarity of the feature frame, with the artifact's URI (where TFX keeps the
//   statistics as TFDV files when there is no such property).
// Parameters: $uids (list of artifact uid strings)
// Returns: one row: artifacts (list of [uid, stats (JSON string or null), uri (string or null)] per
//   artifact found; one row, not one per artifact, because the driver's cost is per record)
UNWIND $uids AS u
MATCH (a:Artifact {uid: u})
RETURN collect([a.uid, coalesce(a.c_feature_stats, a.p_feature_stats), a.uri]) AS artifacts
