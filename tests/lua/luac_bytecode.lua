-- luac: -s -o - luac_bytecode.lua
-- luac compiles this file and writes the stripped bytecode to stdout:
-- the bytes must be the same as the host's luac 5.4 writes.
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
local t = {}
for i = 1, 10 do t[i] = fact(i) end
print(table.concat(t, " "), 1.5, "string constant", 2^53, math.mininteger)
