-- Globals and _ENV: the global table, a local _ENV for a sandboxed
-- block, a strict mode through _G's metatable, and _G._G.
print(_G._G == _G, _ENV == _G, type(_G), _VERSION)
x_global = 1
print(_G.x_global, rawget(_G, "x_global"))
do
  local _ENV = {print = print, tostring = tostring}
  y_global = "inside"
  print(y_global, x_global, tostring(_ENV.y_global))
end
print(y_global)
local function withenv()
  local _ENV = setmetatable({}, {__index = _G})
  z_local = 5
  return z_local, _G.z_local
end
print(withenv())
local declared = {x_global = true}
setmetatable(_G, {
  __newindex = function(t, k, v)
    if not declared[k] then error("assignment to undeclared global '" .. k .. "'", 2) end
    rawset(t, k, v)
  end,
  __index = function(t, k) error("read of undeclared global '" .. k .. "'", 2) end,
})
print(pcall(function() undeclared = 1 end))
print(pcall(function() return undeclared_read end))
declared.ok_global = true
ok_global = "fine"
print(ok_global)
setmetatable(_G, nil)
local names = {}
for k, v in pairs(_G) do if type(v) == "table" and k ~= "_G" then names[#names + 1] = k end end
table.sort(names)
print(table.concat(names, " "))
local fnames = {}
for k in pairs(string) do fnames[#fnames + 1] = k end
table.sort(fnames)
print(table.concat(fnames, " "))
local libs = {}
for _, lib in ipairs({"coroutine", "debug", "io", "math", "os", "package", "string", "table", "utf8"}) do
  local n = 0
  for _ in pairs(_G[lib]) do n = n + 1 end
  libs[#libs + 1] = lib .. "=" .. n
end
print(table.concat(libs, " "))
local gfn = {}
for k, v in pairs(_G) do if type(v) == "function" then gfn[#gfn + 1] = k end end
table.sort(gfn)
print(table.concat(gfn, " "))
local f = load("return x_global + 1")
print(f())
local function setenv(fn, env) debug.setupvalue(fn, 1, env); return fn end
print(setenv(load("return x_global"), {x_global = "swapped"})())
