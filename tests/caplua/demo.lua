-- The capabilities of a process as objects: console, timer, entropy and a
-- VirtualMemory, each called by method name with a table of arguments.

-- Console: a line straight to the capability, then a Data write.
caps.stdout:writeLine{text = "demo: a line through Console.writeLine"}
caps.stdout:write{data = "demo: bytes through Console.write\n"}

-- Timer: now advances across a sleep of 2 ms.
local t0 = caps.timer:now().ns
assert(math.type(t0) == "integer" and t0 > 0)
caps.timer:sleep{ns = 2000000}
local t1 = caps.timer:now().ns
assert(t1 - t0 >= 2000000, "slept less than asked")
local cpu = caps.timer:cpuTime()
assert(cpu.thread > 0 and cpu.process >= cpu.thread)
assert(caps.timer:wallClock().ns > 0)

-- EntropySource: Data comes back as a string of the length asked for.
local a = caps.entropy:fill{len = 32}.bytes
local b = caps.entropy:fill{len = 32}.bytes
assert(type(a) == "string" and #a == 32 and #b == 32 and a ~= b)

-- VirtualMemory: the quota, a mapping committed against it and unmapped,
-- and a narrower facet (a Capability result, cast to its interface).
local q = caps.memory:quota()
assert(q.limit > 0 and q.used > 0 and q.used <= q.limit)
local m = caps.memory:map{len = 65536, prot = 3, commit = true}
assert(m.addr > 0 and m.addr % 4096 == 0)
local q2 = caps.memory:quota()
assert(q2.used >= q.used + 65536, "a committed mapping is charged")
caps.memory:unmap{addr = m.addr, len = 65536}
local facet = caps.memory:limit{bytes = 1 << 20}.memory
assert(facet.interface == nil, "a Capability result has no interface until cast")
facet:cast("VirtualMemory")
assert(facet.interface == "VirtualMemory" and tostring(facet) == "VirtualMemory")
local big = pcall(facet.map, facet, {len = 2 << 20, prot = 3, commit = true})
assert(not big, "the facet maps at most 1 MiB")
local small = facet:map{len = 65536, prot = 3}
facet:unmap{addr = small.addr, len = 65536}
facet:release()
assert(tostring(facet) == "VirtualMemory (released)")

-- The CapSet as the runner sees it.
local names = {}
for k, v in pairs(caps) do names[#names + 1] = k .. "=" .. tostring(v) end
table.sort(names)
print("demo: " .. table.concat(names, " "))
print(string.format("demo: slept %.1f ms; quota %d MiB", (t1 - t0) / 1e6, q.limit >> 20))
