-- os.remove, os.rename and os.tmpname: what succeeds, and the error
-- results (message, errno) for missing files, missing directories and
-- removing a directory that is not empty.
local a = os.tmpname()
local b = os.tmpname()
local function hide(s)
  s = tostring(s)
  s = s:gsub(a:gsub("%p", "%%%0"), "A")
  return (s:gsub(b:gsub("%p", "%%%0"), "B"))
end
print(a ~= b, a:sub(1, 5), io.open(a) ~= nil, #assert(io.open(a)):read("a"))
local f = assert(io.open(a, "w"))
f:write("contents of a")
f:close()
print(os.rename(a, b))
print(hide(select(2, io.open(a))), assert(io.open(b)):read("a"))
local ok, msg, code = os.rename(a, b)
print(ok, hide(msg), code)
ok, msg, code = os.remove(a)
print(ok, hide(msg), code)
ok, msg, code = os.rename(b, "/tmp/no_such_dir_for_rename/x")
print(ok, hide(msg), code)
ok, msg, code = os.remove("/tmp/no_such_dir_for_remove/x")
print(ok, msg, code)
print(os.remove(b))
print(select("#", os.remove(b)))
local d = os.tmpname()
os.remove(d)
print(pcall(os.rename))
print(pcall(os.remove))
local names = {}
for i = 1, 20 do names[os.tmpname()] = true end
local n = 0
for k in pairs(names) do n = n + 1; os.remove(k) end
print("distinct tmpnames", n)
