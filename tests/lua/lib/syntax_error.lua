-- Not valid Lua on purpose: luac_parse.lua checks the message.
local x = = 1
