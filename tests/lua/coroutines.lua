-- Coroutines: resume and yield with values, status, wrap, generators,
-- errors inside a coroutine, yields across pcall, close and isyieldable.
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "done", a + b + c
end)
print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, "x", "y"))
print(coroutine.status(co), coroutine.resume(co))
local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local sum = 0
for i in range(100) do sum = sum + i end
print("sum", sum)
local function permgen(a, n)
  n = n or #a
  if n <= 1 then coroutine.yield(a) else
    for i = 1, n do
      a[n], a[i] = a[i], a[n]
      permgen(a, n - 1)
      a[n], a[i] = a[i], a[n]
    end
  end
end
local perms = {}
for p in coroutine.wrap(function() permgen({"a", "b", "c"}) end) do perms[#perms + 1] = table.concat(p) end
print(#perms, table.concat(perms, " "))
local bad = coroutine.create(function() error("inside") end)
print(coroutine.resume(bad))
print(coroutine.status(bad))
local bad2 = coroutine.create(function() error({code = 7}) end)
local ok, e = coroutine.resume(bad2)
print(ok, type(e), e.code)
local w = coroutine.wrap(function() error("wrapped", 0) end)
print(pcall(w))
print(coroutine.isyieldable(), select(2, coroutine.running()), type(coroutine.running()))
local inner = coroutine.create(function()
  print("yieldable", coroutine.isyieldable(), select(2, coroutine.running()))
  local ok, v = pcall(function() return coroutine.yield("from pcall") end)
  print("after pcall", ok, v)
  return "end"
end)
print(coroutine.resume(inner))
print(coroutine.resume(inner, "resumed"))
local cl = coroutine.create(function()
  local t <close> = setmetatable({}, {__close = function() print("closed on close") end})
  coroutine.yield(1)
end)
coroutine.resume(cl)
print(coroutine.close(cl), coroutine.status(cl))
print(pcall(coroutine.resume, coroutine.running()))
print(coroutine.resume(coroutine.create(function() return coroutine.resume(coroutine.running()) end)))
local depth = 0
local function nest(n)
  if n == 0 then return coroutine.yield("bottom") end
  local c = coroutine.wrap(nest)
  depth = depth + 1
  return c(n - 1)
end
print(coroutine.wrap(nest)(50), depth)
local producer = coroutine.wrap(function()
  for _, w in ipairs({"alpha", "beta", "gamma"}) do coroutine.yield(w) end
  return nil
end)
local consumed = {}
while true do local v = producer(); if not v then break end consumed[#consumed + 1] = v:upper() end
print(table.concat(consumed, ","))
print(pcall(producer))
