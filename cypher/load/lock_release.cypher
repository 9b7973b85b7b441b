// Purpose: Release the lock of a store held by this owner (a lock taken over by another job stays).
// Parameters: $store (string), $owner (string)
// Returns: nothing
MATCH (l:StoreLock {store: $store, owner: $owner})
DELETE l
