-- os.execute and io.popen run their command with /bin/sh (dash on
-- capOS): status results, a command's exit code, and a pipe read from a
-- command's output.
print("os.execute:", os.execute("echo hi from sh"))
print("exit 3:", os.execute("exit 3"))
print("no command:", os.execute())
local f = assert(io.popen("echo from popen; echo line2", "r"))
for l in f:lines() do print("got", l) end
print("close:", f:close())
local g = assert(io.popen("printf '%s-' a b c; exit 5"))
print("read:", g:read("a"))
print("close:", g:close())
local okp, e = pcall(io.popen, "ls", "rw")
print("rw:", okp, (e:gsub("^.-: ", "")))
print("still running")
