-- Integer arithmetic: wrap-around on overflow, floor division and modulo
-- with negative operands, bitwise operators and shifts, conversions
-- between integers and floats, and string-to-number coercions.
local maxi, mini = math.maxinteger, math.mininteger
print(maxi, mini, maxi + 1 == mini, mini - 1 == maxi, maxi * 2, -mini == mini)
print(math.type(1), math.type(1.0), math.type("1"), math.type(2^31), math.type(1 // 1), math.type(3 / 1))
print(7 // 2, -7 // 2, 7 // -2, -7 // -2, 7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(7.0 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 5.3 % -2 < 0)
print(mini // -1, mini % -1)
print(3 & 5, 3 | 5, 3 ~ 5, ~0, 1 << 63, 1 << 64, -1 >> 1, 2 >> -1, 1 << -1)
print(0xff, 0x7fffffffffffffff, 0xffffffffffffffff, 0x10000000000000000)
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), math.tointeger(2^63))
print(math.ult(1, -1), math.ult(-1, 1), math.abs(mini), math.abs(-5))
print(1 == 1.0, math.maxinteger + 0.0 == 2^63, math.maxinteger + 0.0, 2^63 == math.mininteger)
print(9007199254740993, 9007199254740993.0, 2^53 + 1)
print(string.format("%d", -0), 0 == -0, 1 / 0 > maxi, -1 / 0 < mini)
print(10 // 3 * 3 + 10 % 3, (-10) // 3 * 3 + (-10) % 3)
print("10" // "3", "7" % 2, pcall(function() return "0x10" | 0 end), "1e2" * 1, math.type("10" + 0), math.type("10.0" + 0))
print(tostring(1e15), tostring(1e16), tostring(123456789012345678))
print(math.max(1, 2.5, -3), math.min(4, 2, 8), math.type(math.max(1, 2)), math.type(math.max(1.0, 2)))
print(maxi // 1, maxi / 1, maxi % 2, mini % 2)
local acc = 1
for i = 1, 25 do acc = acc * i end
print("25! wraps to", acc)
local f = 1.0
for i = 1, 25 do f = f * i end
print("25! as float", f, string.format("%.0f", f))
for i = maxi - 2, maxi do io.write(i, " ") end print()
for i = mini, mini + 2 do io.write(i, " ") end print()
for i = mini + 2, mini, -1 do io.write(i, " ") end print()
for i = 1, 3, maxi do io.write(i, " ") end print()
local n = 0
for i = maxi - 1, maxi, 2 do n = n + 1 end
print("no overflow in for:", n)
print(pcall(function() return 1 // 0 end), 1 // 0.0, -1 // 0.0, 1 % math.huge, -1 % math.huge)
print(0x7fffffff * 0x7fffffff, 0x100000000 * 0x100000000, 3 ^ 2, math.type(3 ^ 2))
print(string.rep("9", 30) + 0, math.type(string.rep("9", 30) + 0), tonumber("9223372036854775808"))
print(tonumber("0x"), tonumber("1e"), tonumber("inf"), tonumber("nan"), tonumber(" 0x1P-2 "))
