-- Running out of memory under the process's quota (64 MiB unless the
-- manifest says otherwise) is Lua's ordinary "not enough memory" error:
-- one huge string and a growing table of strings each fail inside pcall,
-- the memory comes back when they are collected, and the interpreter
-- goes on working.  (Exhausting the quota with small allocations, as a
-- recursion without end does with its call records, is not checked: the
-- pages libcapos-posix keeps for them stay charged, docs/lua.md.)
local ok, err = pcall(string.rep, "y", 1 << 30)
print("one 1 GiB string:", ok, err)
assert(not ok and err == "not enough memory")
local t = {}
ok, err = pcall(function() for i = 1, 1e9 do t[i] = string.rep("x", 1 << 20) .. i end end)
print("table of 1 MiB strings:", ok, err, #t > 16)
assert(not ok and err == "not enough memory" and #t > 16)
t = nil
collectgarbage()
local again = {}
for i = 1, 16 do again[i] = string.rep("x", 1 << 20) end
again = nil
collectgarbage()
print("16 MiB of strings again after the table was freed")
local function depth(k) if k == 0 then return 0 end return 1 + depth(k - 1) end
assert(depth(10000) == 10000)
print("after the failures: recursion and strings still work")
