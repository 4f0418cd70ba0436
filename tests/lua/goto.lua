-- goto: continue in loops, leaving nested loops, backward jumps that
-- make a loop, and the compile-time errors for jumps Lua forbids.
for i = 1, 10 do
  if i % 3 == 0 then goto continue end
  io.write(i, " ")
  ::continue::
end
print()
for i = 1, 3 do
  for j = 1, 3 do
    if i * j == 4 then
      print("found", i, j)
      goto done
    end
  end
end
::done::
do
  local n = 0
  ::top::
  n = n + 1
  if n < 5 then goto top end
  print("looped to", n)
end
local fns = {}
do
  local i = 1
  ::again::
  local captured = i
  fns[#fns + 1] = function() return captured end
  i = i + 1
  if i <= 3 then goto again end
end
print(fns[1](), fns[2](), fns[3]())
print(load("goto nowhere"))
print(load("do ::a:: end goto a"))
print(load("goto f; local x; ::f:: print(x)"))
print(load("::l:: ::l::"))
print(load("local x <const> = 1; goto e; ::e::") ~= nil)
print(load("do goto f; local x; ::f:: end") ~= nil)
local i = 0
while true do
  i = i + 1
  if i > 3 then goto out end
end
::out::
print("out at", i)
