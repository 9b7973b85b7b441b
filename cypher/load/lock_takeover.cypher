// Purpose: Take over the lock of a store whose owner is dead (compare and set: only when the lock still
//   belongs to that dead owner, so two jobs taking over at once cannot both win).
// Parameters: $store (string), $dead (string: the dead owner), $owner, $job, $host (strings), $pid (int),
//   $now (int: ms since the epoch)
// Returns: owner (one row when taken over, none when the lock changed hands meanwhile)
MATCH (l:StoreLock {store: $store, owner: $dead})
SET l.owner = $owner, l.job = $job, l.host = $host, l.pid = $pid, l.since = $now
RETURN l.owner AS owner
