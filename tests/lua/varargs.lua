-- args: first "second arg" 3 ""
-- Varargs: the script's own arguments (arg and ...), select, table.pack
-- and table.unpack with nils, and passing ... through.
print(select("#", ...), ...)
print(#arg, arg[0], arg[1], arg[2], arg[3], "[" .. arg[4] .. "]", arg[-1])
local function count(...) return select("#", ...) end
print(count(), count(nil), count(nil, nil), count(1, nil, 3, nil))
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"), select(-3, "a", "b", "c"))
print(pcall(select, 0, "a"), pcall(select, -5, "a"))
local function pass(...) return ... end
print(pass(1, nil, 3))
print((pass(1, 2, 3)))
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...) or 0) end
  return s
end
print(sum(1, 2, 3, nil, 5))
local function tail(first, ...) return ... end
print(tail(1, 2, 3), tail(1))
local t = {pass(1, 2), pass(3, 4)}
print(#t, t[1], t[2], t[3])
local p = table.pack(pass(nil, nil))
print(p.n, p[1])
print(table.unpack({1, 2, nil, 4}, 1, 4))
local function varfmt(fmt, ...) return string.format(fmt, ...) end
print(varfmt("%s-%s-%s", "x", 2, true))
local many = {}
for i = 1, 200 do many[i] = i end
print(select("#", table.unpack(many)), math.max(table.unpack(many)))
local function g(...) local a, b = ...; return a, b end
print(g(9), g(9, 8, 7))
print(string.format("%d", select("#", table.unpack({}, 1, 250))))
