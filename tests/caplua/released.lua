-- A released object refuses calls; release is idempotent; what a CapSet
-- entry names stays usable by the runtime after its object is released.
package.path = "/caplua/lib/?.lua"
local expect = require "expect"

local vm = caps.memory:limit{bytes = 1 << 20}.memory:cast("VirtualMemory")
assert(vm:quota().limit == 1 << 20)
vm:release()
vm:release()
expect("VirtualMemory.quota: the object was released", vm.quota, vm)
expect("the object was released", caps.spawner.spawn, caps.spawner,
       {binary = "x", name = "x", grants = {{name = "m", cap = vm}}})
expect("release: a capability object expected", caps.timer.release, {})

-- The runtime keeps its own reference: stdout still prints afterwards.
local out = caps.stdout
out:release()
expect("Console.writeLine: the object was released", out.writeLine, out, {text = "x"})
print("released: stdout still works after its object was released")

-- Objects made and dropped are released by the collector: many more than
-- the process's capability table holds.
for i = 1, 2000 do
  caps.memory:limit{bytes = 1 << 20}
  if i % 50 == 0 then collectgarbage() end
end
-- Holding them until the table is full is the system's error, and
-- releasing them makes room again.
local kept, err = {}, nil
for i = 1, 5000 do
  local ok, r = pcall(caps.memory.limit, caps.memory, {bytes = 1 << 20})
  if not ok then err = r break end
  kept[i] = r.memory
end
assert(err and err:find("VirtualMemory.limit: tableFull", 1, true), tostring(err))
for _, o in ipairs(kept) do o:release() end
assert(caps.memory:limit{bytes = 1 << 20}.memory)
print("released: ok, the table held " .. #kept .. " more")
