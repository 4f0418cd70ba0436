-- Tables: constructors, the length of sequences, insert/remove/move/
-- concat/pack/unpack, next, and keys of every kind (floats that are
-- integers, booleans, tables).
local t = {10, 20, 30, [5] = 50, x = "ex", ["y z"] = true}
print(#{1, 2, 3}, #{}, #"", t[1], t[4], t[5], t.x, t["y z"])
local seq = {}
for i = 1, 10 do seq[i] = i * i end
print(#seq, seq[10], table.concat(seq, " "))
table.insert(seq, 121)
table.insert(seq, 1, 0)
print(#seq, seq[1], seq[12], table.remove(seq), table.remove(seq, 1), #seq)
print(table.remove({}), #seq, table.concat(seq, ",", 9))
print(table.unpack({1, 2, 3}))
print(table.unpack({1, 2, 3}, 2))
print(table.unpack({1, 2, 3}, 2, 5))
local p = table.pack(1, nil, 3, nil)
print(p.n, p[1], p[2], p[3], p[4])
local m = table.move({1, 2, 3, 4, 5}, 2, 4, 1)
print(table.concat(m, ","))
print(table.concat(table.move({1, 2, 3}, 1, 3, 3), ","))
print(table.concat(table.move({1, 2, 3}, 1, 3, 1, {9, 9, 9, 9}), ","))
local keys = {}
keys[1] = "int"; keys[1.0] = "float one is int one"; keys[2.5] = "float"
keys[true] = "bool"; keys["1"] = "string"
print(keys[1], keys[2.5], keys[true], keys["1"], math.type(next({[3.0] = 1})))
local tk = {}
local kt = {[tk] = "table key"}
print(kt[tk], kt[{}])
local count = 0
for k, v in pairs({a = 1, b = 2, c = 3, 4, 5}) do count = count + 1 end
print("pairs visited", count)
local sorted = {}
for k in pairs({banana = 1, apple = 2, cherry = 3}) do sorted[#sorted + 1] = k end
table.sort(sorted)
print(table.concat(sorted, " "))
for i, v in ipairs({"a", "b", nil, "d"}) do io.write(i, v, " ") end print()
print(next({}), type(next), rawlen({1, 2}), rawequal(t, t), rawget(t, "x"))
print(pcall(table.insert, {}, 1, 2, 3))
print(pcall(table.insert, {}, 5, 1))
print(pcall(table.concat, {1, {}, 3}))
print(select("#", table.unpack({}, 1, 3)))
local big = {}
for i = 1, 100000 do big[i] = i end
print(#big, big[#big])
for i = 100000, 50001, -1 do big[i] = nil end
print(#big)
local nested = {a = {b = {c = {d = "deep"}}}}
print(nested.a.b.c.d, nested["a"]["b"].c["d"])
print(pcall(function() return nested.x.y end))
