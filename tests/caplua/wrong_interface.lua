-- Calls that do not fit the object's interface or the method's schema
-- fail before anything is sent, naming the method and the reason.
package.path = "/caplua/lib/?.lua"
local expect = require "expect"

expect("Timer.now: the object is a Console", caps.timer.now, caps.stdout)
expect("VirtualMemory.quota: the object is a Capability of no known interface",
       caps.memory.quota, caps.memory:limit{bytes = 4096}.memory)
expect("cast: the object is a Timer, not a Console", caps.timer.cast, caps.timer, "Console")
expect("cast: no interface 'Nope'", caps.timer.cast, caps.timer, "Nope")
expect("Timer has no method 'write'", function() return caps.timer.write end)
expect("Timer.sleep: Timer.sleep$Params has no field 'nanos'", caps.timer.sleep, caps.timer,
       {nanos = 1})
expect("Timer.sleep: ns: an integer expected", caps.timer.sleep, caps.timer, {ns = "1"})
expect("Timer.sleep: ns: an integral number expected", caps.timer.sleep, caps.timer, {ns = 1.5})
expect("Timer.sleep: the arguments must be a table", caps.timer.sleep, caps.timer, 5)
expect("takes one table of arguments", caps.timer.sleep, caps.timer, {}, {})
expect("commit: a boolean expected", caps.memory.map, caps.memory, {len = 4096, commit = 1})
expect("EntropySource.fill: len: integer out of range", caps.entropy.fill, caps.entropy,
       {len = -1})
expect("EntropySource.fill: len: integer out of range", caps.entropy.fill, caps.entropy,
       {len = 1 << 40})
-- Values the schema allows but the object refuses come back as the
-- system's error, with the field it names.
expect("EntropySource.fill: invalidArgument (params.len)", caps.entropy.fill, caps.entropy,
       {len = 0})
expect("VirtualMemory.map: quotaExceeded", caps.memory.map, caps.memory,
       {len = 1 << 40, prot = 3, commit = true})
-- An untyped object cast to an interface it does not have: the runner
-- cannot tell, the system refuses the call.
local wrong = caps.memory:limit{bytes = 4096}.memory:cast("Timer")
expect("Timer.now: wrongInterface", wrong.now, wrong)
wrong:release()
-- Unions: one member at a time; enums by name.
local spawn = caps.spawner.spawn
expect("are members of one union", spawn, caps.spawner,
       {binary = "x", name = "x", grants = {{name = "a", cap = caps.timer, kernel = {}}}})
expect("not a KernelCapKind: 'teapot'", spawn, caps.spawner,
       {binary = "x", name = "x", grants = {{name = "a", kernel = {kind = "teapot"}}}})
expect("ProcessSpawner.spawn: notFound", spawn, caps.spawner,
       {binary = "nothing-of-that-name", name = "x", grants = {{name = "t", kernel = {kind = "timer"}}}})
print("wrong_interface: ok")
