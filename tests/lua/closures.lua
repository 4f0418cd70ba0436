-- Closures: shared and private upvalues, a fresh local per loop
-- iteration, recursion through upvalues, deep tail calls and memoization.
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
local inc2 = counter()
inc(); inc(); inc2()
print(get(), inc(), inc2())
local fns = {}
for i = 1, 3 do fns[i] = function() return i end end
print(fns[1](), fns[2](), fns[3]())
local shared = {}
do
  local x = 0
  for i = 1, 3 do shared[i] = function() x = x + i; return x end end
end
print(shared[1](), shared[2](), shared[3](), shared[1]())
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))
local memo = setmetatable({}, {__mode = "k"})
local function mfib(n)
  if n < 2 then return n end
  if memo[n] then return memo[n] end
  local v = mfib(n - 1) + mfib(n - 2)
  memo[n] = v
  return v
end
print(mfib(80))
local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + n) end
print(loop(1000000, 0))
local function compose(f, g) return function(...) return f(g(...)) end end
local add1 = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(add1, dbl)(5), compose(dbl, add1)(5))
local function curry(f) return function(a) return function(b) return f(a, b) end end end
print(curry(math.max)(3)(7))
local function makeAcc()
  local items = {}
  return {add = function(v) items[#items + 1] = v end, list = function() return table.concat(items, "+") end}
end
local acc = makeAcc()
acc.add("a"); acc.add("b")
print(acc.list())
print(debug.getupvalue(get, 1))
local y = 10
local function sety(v) y = v end
sety(20)
print(y)
local deep = setmetatable({}, {__index = function(t, k) return t[k] end})
local ok, err = pcall(function() return deep.x end)
print(ok, (err:gsub("^.-:%d+: ", "")))
