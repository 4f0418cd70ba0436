-- The debug library, where its answers do not depend on the platform:
-- getinfo fields, locals and upvalues, hooks counting lines and calls,
-- and tracebacks.
local function target(a, b, ...)
  local c = a + b
  local info = debug.getinfo(1, "nSlu")
  return info, c
end
local info = target(1, 2, 3)
print(info.short_src, info.source, info.what, info.currentline, info.linedefined, info.lastlinedefined)
print(info.nparams, info.isvararg, info.nups, info.name, info.namewhat)
local pinfo = debug.getinfo(print)
print(pinfo.what, pinfo.short_src, pinfo.source, pinfo.currentline, pinfo.nparams, pinfo.isvararg)
local function locals()
  local x, y = 10, "why"
  local names = {}
  local i = 1
  while true do
    local name, value = debug.getlocal(1, i)
    if not name then break end
    names[#names + 1] = name .. "=" .. tostring(type(value) == "table" and "table" or value)
    i = i + 1
  end
  return table.concat(names, " ")
end
print(locals())
print(debug.getlocal(target, 1), debug.getlocal(target, 2), debug.getlocal(target, 3))
local up1, up2 = 1, 2
local function uses() return up1 + up2 end
print(debug.getupvalue(uses, 1), debug.getupvalue(uses, 2), debug.getupvalue(uses, 3))
debug.setupvalue(uses, 1, 100)
print(uses(), up1)
local lines = {}
debug.sethook(function(event, line) lines[#lines + 1] = line end, "l")
local z = 1
z = z + 1
debug.sethook()
print("lines hooked", table.concat(lines, " "))
local calls = 0
debug.sethook(function() calls = calls + 1 end, "c")
local function noop() end
for i = 1, 10 do noop() end
debug.sethook()
print("calls hooked at least 10", calls >= 10)
local count = 0
debug.sethook(function() count = count + 1 end, "", 100)
for i = 1, 10000 do local _ = i * 2 end
debug.sethook()
print("count hook fired", count > 10)
print(debug.gethook())
local function lvl3() return debug.traceback("msg", 1) end
local function lvl2() return lvl3() end
local function lvl1() return (lvl2()) end
print(lvl1())
print(debug.traceback(42), debug.traceback(nil) == nil)
local co = coroutine.create(function() coroutine.yield() end)
coroutine.resume(co)
print(debug.traceback(co))
print(debug.getinfo(1, "l").currentline, debug.getinfo(100))
print(pcall(debug.getinfo, 1, ">"))
local mt = {}
debug.setmetatable(10, mt)
print(getmetatable(1) == mt)
debug.setmetatable(10, nil)
print(getmetatable(1))
local ud = debug.getregistry()
print(type(ud), type(debug.getuservalue(io.stdout)))
