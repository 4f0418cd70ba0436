-- Serving an endpoint from Lua: this script creates an endpoint, starts
-- a second capos-lua (lib/echo_client.lua) holding a client facet as its
-- "echo", and answers its Echo calls in a RECV/RETURN loop; then it waits
-- for the client's exit status.
package.path = "/caplua/lib/?.lua"
local expect = require "expect"

local ep = caps.spawner:createEndpoint()
local server = ep.server:cast("Endpoint")
local badged = server:mintClient{badge = 42}.client

local child = capos.spawn(caps.spawner, "/bin/capos-lua", {
  argv = {"capos-lua", "/caplua/lib/echo_client.lua"},
  grants = {
    {name = "stdout", cap = caps.stdout},
    {name = "stderr", cap = caps.stderr},
    {name = "root", cap = caps.root, interfaceId = capos.interface_id("Directory")},
    {name = "memory", kernel = {kind = "virtualMemory", memoryLimit = 32 << 20}},
    {name = "echo", cap = badged, interfaceId = capos.interface_id("Echo")},
  },
})
assert(child.pid > 0)
local handle = child.handle:cast("ProcessHandle")
ep.client:release()
badged:release()

local served = 0
while true do
  local req = capos.recv(server)
  assert(req.interface == "Echo" and req.method == "echo", req.interface)
  assert(req.badge == 42)
  local text = req.params.text
  if text == "stop" then
    req:reply{text = "stopping", badge = req.badge}
    break
  elseif text == "fail" then
    req:fail("notPermitted")
  elseif text == "drop" then
    -- Dropped unanswered: the collector refuses it with `cancelled`.
    req = nil
    collectgarbage()
    collectgarbage()
  else
    req:reply{text = text:upper(), badge = req.badge}
  end
  if req then expect("reply: the request was already answered", req.reply, req, {}) end
  served = served + 1
end

local status = handle:wait().status
assert(status.exited == 0, "the client failed")
print("endpoint: served " .. served .. " calls; the client exited with " .. status.exited)
