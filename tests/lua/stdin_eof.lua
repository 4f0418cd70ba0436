-- stdin is at end of file on both sides (the host runs the script with
-- /dev/null as stdin): every read format says so.
print(io.read("l"), io.read("n"), io.read(5), io.read(0))
print(io.read("a") == "", io.read("L"))
print(io.type(io.stdin), io.stdin == io.input())
for line in io.lines() do print("unexpected", line) end
print("done")
