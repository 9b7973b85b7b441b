// Purpose: Keep the lag-1 history features on the :NEXT link into each graphlet, so that analysts and
//   the corpus analytics (cypher/analytics/) can query how alike consecutive graphlets are: Jaccard
//   of the input span sets, dataset similarity, code changed (null removes a value that is
//   missing). Links are only written when a value changed, so a rerun writes nothing.
// Parameters: $rows (list of maps: uid (graphlet uid string), jaccard, dataset_similarity (float or
//   null), code_changed (int or null))
// Returns: changed (int: links rewritten)
UNWIND $rows AS row
MATCH (:Graphlet)-[r:NEXT]->(g:Graphlet {uid: row.uid})
WITH r, row
WHERE any(key IN ['jaccard', 'dataset_similarity', 'code_changed']
          WHERE NOT coalesce(r[key] = row[key], r[key] IS NULL AND row[key] IS NULL))
SET r.jaccard = row.jaccard, r.dataset_similarity = row.dataset_similarity, r.code_changed = row.code_changed
RETURN count(r) AS changed
