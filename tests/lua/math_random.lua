-- math.random with fixed seeds: Lua's own xoshiro256** generator gives
-- the same sequence everywhere; ranges, the full-integer form, floats in
-- [0,1) and the argument errors.
math.randomseed(2024)
local t = {}
for i = 1, 8 do t[i] = math.random(100) end
print(table.concat(t, " "))
print(math.random(0), math.random(-10, 10), math.random(math.mininteger, math.maxinteger))
local f = math.random()
print(math.type(f), f >= 0 and f < 1, string.format("%.17g", f))
math.randomseed(2024)
print(math.random(100) == t[1])
math.randomseed(1, 2)
print(math.random(1 << 40), math.random(3, 3))
print(pcall(math.randomseed, 7.5))
math.randomseed(7.0)
print(math.random(1000))
local hist = {0, 0, 0, 0}
math.randomseed(99)
for i = 1, 4000 do local v = math.random(4); hist[v] = hist[v] + 1 end
print(table.concat(hist, " "))
print(pcall(math.random, 2, 1))
print(pcall(math.random, 1, 2, 3))
print(pcall(math.random, 0.5))
print(select("#", math.randomseed(5)))
