-- The client of endpoint.lua: calls Echo.echo on its "echo" capability,
-- and always ends with "stop", so that the server is never left waiting.
local ok, err = pcall(function()
  assert(caps.echo.interface == "Echo")
  for i = 1, 3 do
    local r = caps.echo:echo{text = "hello " .. i}
    assert(r.text == "HELLO " .. i and r.badge == 42, r.text)
  end
  local ok1, err1 = pcall(caps.echo.echo, caps.echo, {text = "fail"})
  assert(not ok1 and err1:find("Echo.echo: notPermitted", 1, true), err1)
  local ok3, err3 = pcall(caps.echo.echo, caps.echo, {text = "drop"})
  assert(not ok3 and err3:find("Echo.echo: cancelled", 1, true), err3)
  -- Arguments the client's side refuses never reach the server.
  local ok2, err2 = pcall(caps.echo.echo, caps.echo, {text = 7})
  assert(not ok2 and err2:find("Echo.echo: text: a string expected", 1, true), err2)
end)
assert(caps.echo:echo{text = "stop"}.text == "stopping")
assert(ok, err)
print("echo client: ok")
