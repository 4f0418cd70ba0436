-- Output: print and io.write formatting numbers, embedded zeros and
-- bytes above 127 passed through unchanged, stderr kept apart, and
-- buffering modes of stdout.
print(1, 1.0, -0.0, 1e100, 2^63, "s", nil, true, false)
io.write(1, " ", 1.0, " ", 1 / 3, " ", math.maxinteger, "\n")
io.write("zero:\0:end\n")
io.write("high bytes: \200\201\255\n")
print("tab\tseparated", "cr\rreturn")
io.stderr:write("to stderr\n")
io.stdout:setvbuf("no")
io.write("unbuffered ")
io.stdout:setvbuf("line")
io.write("line buffered\n")
io.stdout:setvbuf("full", 16)
for i = 1, 5 do io.write(string.rep(tostring(i), 7), "\n") end
io.stdout:flush()
print(("x"):rep(10000):len())
io.write(string.rep("long line ", 2000), "\n")
print(pcall(io.write, {}))
print(io.stdout:seek("cur") == nil or "seekable")
print(select("#", print()))
io.stderr:write("stderr again: ", 42, "\n")
