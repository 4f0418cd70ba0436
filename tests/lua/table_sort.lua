-- table.sort: numbers, strings, custom orders, a large seeded shuffle
-- checked element by element, and the errors Lua reports.
local t = {5, 2, 8, 1, 9, 3, 7, 4, 6, 0}
table.sort(t)
print(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " "))
local words = {"pear", "Apple", "banana", "apple", "Banana", "cherry", ""}
table.sort(words)
print(table.concat(words, ","))
table.sort(words, function(a, b) return a:lower() < b:lower() or (a:lower() == b:lower() and a < b) end)
print(table.concat(words, ","))
local people = {{name = "ann", age = 31}, {name = "bob", age = 25}, {name = "cy", age = 40}, {name = "di", age = 25}}
table.sort(people, function(a, b) if a.age ~= b.age then return a.age < b.age end return a.name < b.name end)
for _, p in ipairs(people) do io.write(p.name, ":", p.age, " ") end print()
math.randomseed(42)
local big = {}
for i = 1, 5000 do big[i] = math.random(1, 1000000) end
print("first randoms", big[1], big[2], big[3])
table.sort(big)
local ok = true
for i = 2, #big do if big[i - 1] > big[i] then ok = false end end
print("sorted", ok, big[1], big[2500], big[5000])
local floats = {3.5, -1, 2, 1e10, -math.huge, math.huge, 0.0, -0.0 + 1}
table.sort(floats)
for i, v in ipairs(floats) do io.write(tostring(v), " ") end print()
local mixed = {3, 1.5, 2}
table.sort(mixed)
print(table.concat(mixed, " "))
print(pcall(table.sort, {1, "x", 2}))
print(pcall(table.sort, {3, 2, 1}, function(a, b) return true end))
local same = {}
for i = 1, 100 do same[i] = 7 end
table.sort(same)
print(same[1], same[100])
table.sort({})
print("empty ok")
