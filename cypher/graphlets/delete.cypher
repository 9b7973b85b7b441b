// Purpose: Delete graphlets that no longer have a trainer (the trainer vanished, or became CACHED),
//   with their [:CONTAINS] and [:NEXT] relationships.
// Parameters: $uids (list of graphlet uid strings)
// Returns: deleted (int)
UNWIND $uids AS u
MATCH (g:Graphlet {uid: u})
DETACH DELETE g
RETURN count(*) AS deleted
