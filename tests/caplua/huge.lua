-- Arguments too large for a message, or for the method, fail cleanly and
-- the runner goes on working.
package.path = "/caplua/lib/?.lua"
local expect = require "expect"

expect("Console.writeLine: text: the message does not fit (at most 64 KiB)",
       caps.stdout.writeLine, caps.stdout, {text = string.rep("x", 1 << 20)})
expect("Console.write: invalidArgument (params.data)", caps.stdout.write, caps.stdout,
       {data = string.rep("y", 60000)})
local argv = {}
for i = 1, 100000 do argv[i] = "a" end
expect("the message does not fit", caps.spawner.spawn, caps.spawner,
       {binary = "x", name = "x", argv = argv})
local many = {}
for i = 1, 17 do many[i] = {name = "g" .. i, cap = caps.timer} end
expect("more than 16 capabilities in one call", caps.spawner.spawn, caps.spawner,
       {binary = "x", name = "x", grants = many})
-- A table that contains itself, given where the schema has no more
-- nesting, is a wrong type, not a recursion.
local t = {}
t.kernel = t
expect("kind: an enumerant name expected", caps.spawner.spawn, caps.spawner,
       {binary = "x", name = "x", grants = {{name = "a", kernel = {kind = t}}}})
expect("grants: a sequence (table) expected", caps.spawner.spawn, caps.spawner,
       {binary = "x", name = "x", grants = t})
assert(caps.timer:now().ns > 0)
print("huge: ok")
