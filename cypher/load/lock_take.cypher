// Purpose: Take the lock of one store for one job, atomically: MERGE on the unique :StoreLock(store)
//   creates it for this owner unless another job holds it (two jobs merging at once are serialized by
//   the constraint, so exactly one creates it). The caller compares the returned owner with its own.
// Parameters: $store (string), $owner (string: host, pid and a random token), $job (string: the command),
//   $host (string), $pid (int), $now (int: ms since the epoch)
// Returns: owner, job, host, pid, since of the lock as it stands (one row)
MERGE (l:StoreLock {store: $store})
  ON CREATE SET l.owner = $owner, l.job = $job, l.host = $host, l.pid = $pid, l.since = $now
RETURN l.owner AS owner, l.job AS job, l.host AS host, l.pid AS pid, l.since AS since
