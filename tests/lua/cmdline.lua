-- lua: -W -e "from_e = 'set by -e'" -l lib.shapes cmdline.lua one -two
-- The interpreter's options before the script: -e runs code first, -l
-- loads a module into a global of its name, -W turns warnings on (they
-- go to stderr); arg holds the whole command line.
print(from_e, type(package.loaded["lib.shapes"]), type(lib), type(shapes))
print(#arg, arg[0], arg[1], arg[2])
local i = -1
while arg[i] do i = i - 1 end
local pre = {}
for k = i + 1, -1 do pre[#pre + 1] = arg[k] end
print(table.concat(pre, " | "))
warn("a warning ", "in two pieces")
warn("@off")
warn("not shown")
warn("@on")
warn("shown again")
print(...)
