-- The garbage collector, by what Lua guarantees: memory grows with live
-- data and shrinks once it is dropped, weak tables lose collected
-- entries, finalizers run once in reverse order of marking, and the
-- collector's options answer as documented.
collectgarbage("collect")
local base = collectgarbage("count")
print(type(base), math.type(base), base > 0)
local hold = {}
for i = 1, 100000 do hold[i] = {i} end
local grown = collectgarbage("count")
print("grew by more than 3 MB", grown - base > 3 * 1024)
hold = nil
collectgarbage("collect")
print("shrank back", collectgarbage("count") < grown - 3 * 1024)
local weakv = setmetatable({}, {__mode = "v"})
local weakk = setmetatable({}, {__mode = "k"})
local strong = {}
for i = 1, 10 do
  local t = {}
  weakv[i] = t
  weakk[t] = i
  if i % 2 == 0 then strong[#strong + 1] = t end
end
weakv.str = "strings are values, never collected"
collectgarbage()
local nv, nk = 0, 0
for _ in pairs(weakv) do nv = nv + 1 end
for _ in pairs(weakk) do nk = nk + 1 end
print("weak values left", nv, "weak keys left", nk)
local order = {}
for i = 1, 5 do setmetatable({}, {__gc = function() order[#order + 1] = i end}) end
collectgarbage()
print("finalizers", table.concat(order, " "))
local resurrected
do
  local obj = setmetatable({name = "phoenix"}, {__gc = function(o) resurrected = o end})
end
collectgarbage()
print("resurrected", resurrected and resurrected.name)
resurrected = nil
collectgarbage()
print(collectgarbage("isrunning"), collectgarbage("stop"), collectgarbage("isrunning"))
print(collectgarbage("restart"), collectgarbage("isrunning"))
print(collectgarbage("step", 0) ~= nil, type(collectgarbage("step")))
print(collectgarbage("incremental"), collectgarbage("generational"), collectgarbage("incremental"))
print(math.type(collectgarbage("setpause", 100)), math.type(collectgarbage("setstepmul", 200)))
print(pcall(collectgarbage, "nonsense"))
local eph = setmetatable({}, {__mode = "k"})
do
  local key = {}
  eph[key] = {ref = key}
end
collectgarbage()
local left = 0
for _ in pairs(eph) do left = left + 1 end
print("ephemeron entries left", left)
local gccount = 0
local mt = {__gc = function() gccount = gccount + 1 end}
for i = 1, 1000 do setmetatable({}, mt) end
collectgarbage()
collectgarbage()
print("finalized", gccount)
local s = string.rep("x", 1 << 20)
local before = collectgarbage("count")
s = nil
collectgarbage()
print("string freed", before - collectgarbage("count") > 1000)
