-- string.dump and load of binary chunks: functions with upvalues (which
-- come back fresh), stripped dumps, dumps of dumps, and what cannot be
-- dumped.
local function add(a, b) return a + b end
local bin = string.dump(add)
print(type(bin), bin:sub(1, 4) == "\27Lua", bin:byte(5))
local add2 = load(bin, "dumped", "b")
print(add2(2, 3))
local stripped = string.dump(add, true)
print(#stripped < #bin, load(stripped)(10, 20))
local n = 10
local function withup() n = (n or 100) + 1; return n end
local copy = load(string.dump(withup))
print(pcall(copy))
debug.setupvalue(copy, 1, 5)
print(copy(), withup(), n)
local function errs() error("from dumped code") end
print(pcall(load(string.dump(errs))))
print(pcall(load(string.dump(errs, true))))
print(pcall(string.dump, print))
local src = "local t = {} for i = 1, 5 do t[#t + 1] = i * i end return table.concat(t, ' '), ..."
local chunk = load(src, "=src")
local redump = load(string.dump(chunk))
print(redump("extra"))
print(string.dump(load(src, "=src")) == string.dump(chunk))
print(load(bin:sub(1, #bin // 2)))
local bad = bin:sub(1, 5) .. "\255" .. bin:sub(7)
print(load(bad))
local function closure_maker()
  local count = 0
  return function() count = count + 1; return count end
end
local c = closure_maker()
local cdump = load(string.dump(c))
debug.setupvalue(cdump, 1, 41)
print(cdump(), cdump())
local bytes = 0
for _, fn in ipairs({add, withup, errs, closure_maker}) do bytes = bytes + #string.dump(fn, true) end
print("stripped total", bytes)
