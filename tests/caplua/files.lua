-- With a Directory granted as root, io works beneath it and only there:
-- ".." at the top stays at the top.
local f = assert(io.open("/tmp/caplua.txt", "w"))
f:write("inside\n")
f:close()
assert(io.open("/../../tmp/caplua.txt"):read("l") == "inside")
assert(io.open("/tmp/../../../tmp/caplua.txt"):read("l") == "inside")
for line in io.lines("/caplua/files.lua") do assert(line:sub(1, 2) == "--") break end
assert(os.remove("/tmp/caplua.txt"))
assert(io.open("/tmp/caplua.txt") == nil)
assert(io.popen == nil and os.execute == nil and debug == nil)
package.path = "/caplua/lib/?.lua"
assert(type(require("expect")) == "function", "require of a Lua module")
print("files: ok")
