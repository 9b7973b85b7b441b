// Purpose: Flag a store while its graphlets are being built, and say whether the previous build was
//   interrupted (the flag was still set): such a build then re-derives costs, `pushed` and :NEXT for
//   every graphlet in scope, since the interrupted one may have written graphlets without them.
// Parameters: $name (string), $building (boolean)
// Returns: was (boolean or null: the flag before this call)
MATCH (s:Store {name: $name})
WITH s, s.graphlets_building AS was
SET s.graphlets_building = $building
RETURN was
