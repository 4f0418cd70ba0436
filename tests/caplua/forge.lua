-- Objects cannot be forged: not from numbers, strings, tables or another
-- object's metatable, and nothing exposes a cap id.
package.path = "/caplua/lib/?.lua"
local expect = require "expect"

local now = caps.timer.now
expect("Timer.now: called on number, not a capability object", now, 3)
expect("Timer.now: called on string", now, "timer")
expect("Timer.now: called on table", now, {})
expect("Timer.now: called on table", now, setmetatable({}, {__index = caps.timer}))
expect("Timer.now: called on no value", now)
expect("Timer.now: called on nil", now, nil)

-- The metatable is hidden and cannot be replaced or copied.
assert(getmetatable(caps.timer) == "capability")
expect("table expected, got capability", setmetatable, caps.timer, {})
expect("table expected", rawset, caps.timer, "x", 1)
expect("cannot be changed", function() caps.timer.cap = 1 end)
expect("Timer has no method 'cap'", function() return caps.timer.cap end)
expect("Timer has no method 'id'", function() return caps.timer.id end)

-- The library that would reach the registry or raw memory is not there.
assert(debug == nil, "debug is not loaded")
assert(package.loadlib == nil and package.cpath == nil)
-- Bytecode can do anything in the process: only text chunks load.
local dumped = string.dump(function() return 1 end)
local f, err = load(dumped)
assert(f == nil and err:find("attempt to load a binary chunk", 1, true), err)
assert(load("return 1 + 1")() == 2)

-- A value naming a capability is no capability: fields that want one
-- refuse it before anything is sent.
expect("a capability object expected", caps.spawner.spawn, caps.spawner,
       {binary = "x", name = "x", grants = {{name = "a", cap = 5}}})
expect("a capability object expected", caps.spawner.spawn, caps.spawner,
       {binary = "x", name = "x", grants = {{name = "a", cap = "timer"}}})

-- A capability handed on is handed on as a copy: the object still works.
local ep = caps.spawner:createEndpoint()
local mint = ep.server:cast("Endpoint"):mintClient{badge = 7}
assert(mint.client and mint.client.interface == nil)
assert(tostring(ep.client) == "Capability")
print("forge: ok")
