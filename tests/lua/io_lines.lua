-- io.lines and file:lines: formats, files without a final newline, empty
-- lines, io.input/io.output as the default files, and missing files.
local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("alpha\n\nbeta 12 3.5\n  gamma  \nlast line without newline")
f:close()
for l in io.lines(name) do io.write("[", l, "]") end print()
for l in io.lines(name, "L") do io.write("<", l, ">") end print()
for a, b in io.lines(name, 3, 2) do io.write(a, "|", b, " ") end print()
local h = assert(io.open(name))
h:read("l"); h:read("l")
print(h:read("l"))
for word, n1, n2 in h:lines(4) do io.write("'", word, "' ") break end print()
h:close()
print(pcall(io.lines, "/tmp/missing_file_for_lines"))
io.input(name)
print(io.read(), io.read("L"), io.read("n"))
io.input():close()
print(pcall(io.read))
io.input(io.stdin)
local out = os.tmpname()
io.output(out)
io.write("to the default output\n", 42, "\n")
io.output():close()
io.output(io.stdout)
for l in io.lines(out) do print("out:", l) end
local count = 0
for l in io.lines(out, "n") do count = count + 1 end
print("numbers read", count)
local lines = {}
local e = assert(io.open(name, "w"))
e:close()
for l in io.lines(name) do lines[#lines + 1] = l end
print("empty file lines", #lines)
local it = io.lines(out)
print(it(), it(), it())
print(pcall(it))
os.remove(name)
os.remove(out)
