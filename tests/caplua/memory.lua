-- Running out of memory under the VirtualMemory quota is Lua's ordinary
-- error, caught by pcall; afterwards the runner and its objects still work.
local facet = caps.memory:limit{bytes = 8 << 20}.memory:cast("VirtualMemory")
local r = facet:map{len = 4 << 20, prot = 3, commit = true}
local ok, err = pcall(facet.map, facet, {len = 8 << 20, prot = 3, commit = true})
assert(not ok and err:find("VirtualMemory.map: quotaExceeded", 1, true), err)
facet:unmap{addr = r.addr, len = 4 << 20}

local hog = {}
local ok2, err2 = pcall(function()
  for i = 1, 1 << 20 do hog[i] = string.rep(string.char(i % 256), 1 << 20) end
end)
assert(not ok2 and tostring(err2):find("not enough memory", 1, true), tostring(err2))
local n = #hog
hog = nil
collectgarbage()
assert(caps.timer:now().ns > 0)
assert(#caps.entropy:fill{len = 8}.bytes == 8)
print("memory: ran out after " .. n .. " MiB of strings, and went on")
