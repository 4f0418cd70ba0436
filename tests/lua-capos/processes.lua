-- os.execute and io.popen while capOS has no processes to run: each
-- fails with Lua's ordinary error results (nil, a message, an error
-- number), and the interpreter carries on.
local ok, what, code = os.execute("echo hi")
print("os.execute:", ok, what, code)
assert(ok == nil and type(what) == "string" and math.type(code) == "integer" and code > 0)
for _, mode in ipairs({"r", "w"}) do
  local f, msg, err = io.popen("echo hi", mode)
  print("io.popen " .. mode .. ":", f, msg, err)
  assert(f == nil and type(msg) == "string" and msg:find("echo hi", 1, true) == 1)
  assert(math.type(err) == "integer" and err > 0)
end
local okp, e = pcall(io.popen, "ls", "rw")
assert(not okp and e:find("invalid mode"), e)
print("still running")
