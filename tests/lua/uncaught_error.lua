-- An error nobody catches: lua prints the message and a traceback on
-- stderr and exits with status 1, after what the script printed before.
print("before the error")
io.stdout:write("written, not yet a line")
local function inner(x)
  if x > 2 then error("out of range: " .. x) end
  return inner(x + 1)
end
local function outer() inner(0) end
outer()
print("never printed")
