// Purpose: How alike consecutive graphlets' inputs are (the study's §4): the Jaccard similarity and
//   the dataset similarity of each :NEXT link (written by `mlprov features`) counted in the bins
//   [0,.25], (.25,.5], (.5,.75], (.75,1], with each bin's mean and the overall mean. Links without
//   a value (no spans or no statistics on one side) are left out.
//   Counts only completely loaded stores (:Store status 'complete'): a store whose load has not
//   committed is left out, never half-counted.
// Parameters: $store (string, optional: all stores)
// Returns: one row per (measure, bin), every bin present: measure ('jaccard' or
//   'dataset_similarity'), bin (text), pairs (int), share (float, 0..1 of the measure's pairs),
//   bin_mean (float or null), mean (float: the measure's mean over all pairs); in bin order
MATCH (st:Store {status: 'complete'})
WHERE $store IS NULL OR st.name = $store
MATCH (:Graphlet)-[r:NEXT]->(g:Graphlet {store: st.name})
UNWIND [['jaccard', r.jaccard], ['dataset_similarity', r.dataset_similarity]] AS m
WITH m[0] AS measure, m[1] AS v
WHERE v IS NOT NULL
WITH measure, collect(toFloat(v)) AS vs
UNWIND [[0, '[0,.25]', -1.0, 0.25], [1, '(.25,.5]', 0.25, 0.5], [2, '(.5,.75]', 0.5, 0.75],
        [3, '(.75,1]', 0.75, 1.0]] AS b
WITH measure, vs, b, [x IN vs WHERE x > b[2] AND (x <= b[3] OR b[0] = 3)] AS inside
RETURN measure, b[1] AS bin, size(inside) AS pairs, toFloat(size(inside)) / size(vs) AS share,
       CASE WHEN size(inside) = 0 THEN null ELSE reduce(s = 0.0, x IN inside | s + x) / size(inside) END AS bin_mean,
       reduce(s = 0.0, x IN vs | s + x) / size(vs) AS mean
ORDER BY measure, b[0]
