-- os.exit(false) is EXIT_FAILURE; with close = true the state is closed
-- first, so pending to-be-closed variables and finalizers run.
setmetatable({}, {__gc = function() print("finalized at close") end})
local t <close> = setmetatable({}, {__close = function() print("closed at exit") end})
print("exiting")
os.exit(false, true)
