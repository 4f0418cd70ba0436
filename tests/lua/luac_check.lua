-- luac: -p luac_listing.lua
-- luac -p parses a file and writes nothing: the status must be 0.
local function f(...) return select("#", ...) end
return f(1, 2, 3)
