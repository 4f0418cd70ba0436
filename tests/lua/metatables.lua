-- Metatables: every metamethod, inheritance through __index, rawget and
-- rawset, protected metatables and __name in error messages.
local V = {}
V.__index = V
V.__name = "Vector"
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
V.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(a) == "number" then return vec(a * b.x, a * b.y) end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__unm = function(a) return vec(-a.x, -a.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a:len2() < b:len2() end
V.__le = function(a, b) return a:len2() <= b:len2() end
V.__len = function(a) return 2 end
V.__tostring = function(a) return "(" .. a.x .. ", " .. a.y .. ")" end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
V.__call = function(self, k) return self[k] end
V.__idiv = function(a, n) return vec(a.x // n, a.y // n) end
V.__mod = function(a, n) return vec(a.x % n, a.y % n) end
V.__div = function(a, n) return vec(a.x / n, a.y / n) end
V.__pow = function(a, n) return vec(a.x ^ n, a.y ^ n) end
V.__band = function(a, b) return "band" end
V.__shl = function(a, b) return "shl" end
V.__bnot = function(a) return "bnot" end
function V:len2() return self.x * self.x + self.y * self.y end
local a, b = vec(1, 2), vec(3, 4)
print(tostring(a + b), tostring(a - b), a * b, tostring(2 * a), tostring(a * 3), tostring(-a))
print(a == vec(1, 2), a ~= b, a < b, b <= a, #a, a .. b, a .. "!", a("x"))
print(tostring(b // 2), tostring(b % 3), tostring(b / 2), tostring(a ^ 2), a & b, a << 1, ~a)
local log = {}
local proxy = setmetatable({}, {
  __index = function(t, k) log[#log + 1] = "get " .. tostring(k); return k .. "!" end,
  __newindex = function(t, k, v) log[#log + 1] = "set " .. tostring(k); rawset(t, k, v) end,
})
print(proxy.foo, proxy.foo)
proxy.foo = 1
proxy.foo = 2
print(proxy.foo, rawget(proxy, "bar"), table.concat(log, ","))
local Base = {}
Base.__index = Base
function Base.new(n) return setmetatable({n = n}, Base) end
function Base:describe() return "base " .. self.n end
function Base:kind() return "Base" end
local Derived = setmetatable({}, {__index = Base})
Derived.__index = Derived
function Derived.new(n) local o = Base.new(n); return setmetatable(o, Derived) end
function Derived:kind() return "Derived" end
local d = Derived.new(5)
print(d:describe(), d:kind(), getmetatable(d) == Derived, rawget(Derived, "describe"))
local locked = setmetatable({}, {__metatable = "locked"})
print(getmetatable(locked), pcall(setmetatable, locked, {}))
print(getmetatable("abc").__index == string, ("x"):upper())
print(pcall(function() return a + 1 end))
print(pcall(function() return {} + 1 end))
print(pcall(function() return a < 1 end))
print(pcall(function() local u = setmetatable({}, {__name = "MyType"}); return u .. "x" end))
local cnt = setmetatable({}, {__index = function() return 0 end})
for _, w in ipairs({"a", "b", "a", "c", "a"}) do cnt[w] = cnt[w] + 1 end
print(cnt.a, cnt.b, cnt.c, cnt.d)
local ro = setmetatable({}, {__newindex = function(t, k) error("read-only: " .. k, 2) end})
print(pcall(function() ro.x = 1 end))
local closed = {}
do
  local x <close> = setmetatable({}, {__close = function(o, err) closed[#closed + 1] = "x:" .. tostring(err) end})
  local y <close> = setmetatable({}, {__close = function(o, err) closed[#closed + 1] = "y:" .. tostring(err) end})
end
print(table.concat(closed, " "))
print(pcall(function()
  local z <close> = setmetatable({}, {__close = function(o, err) closed[#closed + 1] = "z:" .. tostring(err) end})
  error("boom", 0)
end), closed[#closed])
