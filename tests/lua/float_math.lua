-- Floats and the math library: rounding functions, infinities and NaN,
-- negative zero, and transcendental functions printed with %.14g.
local function g(x) return string.format("%.14g", x) end
print(math.pi, -math.pi, math.huge, -math.huge, 0 / 0 ~= 0 / 0)
print(math.floor(3.7), math.floor(-3.7), math.ceil(3.2), math.ceil(-3.2), math.floor(2^62), math.type(math.floor(1e100)))
print(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(7.5, 2), math.fmod(-6, 4))
print(pcall(math.fmod, 1, 0))
print(math.fmod(1, 0.0) ~= math.fmod(1, 0.0), math.fmod(mininteger or math.mininteger, -1))
print(math.modf(3.7), math.modf(-3.7), math.modf(5), math.modf(math.huge), math.modf(-math.huge))
print(g(math.sqrt(2)), g(math.sqrt(1e10)), math.sqrt(-1) ~= math.sqrt(-1), math.sqrt(16))
print(g(math.exp(1)), g(math.exp(-1)), g(math.log(10)), g(math.log(8, 2)), g(math.log(100, 10)), g(math.log(2.5, 7)))
print(g(math.sin(1)), g(math.cos(1)), g(math.tan(1)), g(math.asin(0.5)), g(math.acos(0.5)), g(math.atan(1)))
print(g(math.atan(1, -1)), g(math.atan(-1, -1)), g(math.atan(0, -1)), g(math.atan(-0.0, -1)))
print(math.log(0), math.exp(1000), math.exp(-1000), 2^1024, 2^-1080)
print(1 / 0, -1 / 0, 1 / -0.0, -0.0, 0.0 == -0.0, 1 / (0.0 * -1))
print(3.0, -3.0, 1e15, 1e16, 1e100, 1.5e-7, 123.456, 2^63, -2^63, 0.1 + 0.2)
print(0.1 + 0.2 == 0.3, math.abs(0.1 + 0.2 - 0.3) < 1e-15, 100 * 1.1)
print(math.floor(-0.0), math.ceil(-0.5), 3 // 0.5, 2^0.5 == math.sqrt(2))
print(string.format("%.3f %.3f %.3f", 2.0005, 2.0015, -2.0005), string.format("%5.1f|", -0.04))
print(math.huge // 1, -math.huge // 1, math.huge % 2, 5 % math.huge, -5 % math.huge)
print(g(1 / 3), g(2 / 3), g(1e-300 * 1e-300), g(1.7976931348623157e308), g(4.9406564584124654e-324))
print(8 // 3.0, 8 / 3, 2^2, 10 / 2, math.type(10 / 2))
local sum = 0
for i = 1, 1000 do sum = sum + 1 / i end
print("harmonic 1000", g(sum))
local x = 0
for i = 0.0, 1.0, 0.1 do x = x + 1 end
print("float loop steps", x)
print(math.ult(0, 1), math.tointeger(-0.0), math.floor(-0.0) == 0, 0.0 // 1)
print(tostring(2^53), tostring(2^53 + 1.0), 2^53 == 2^53 + 1)
print(7 // 0.0, -7 // 0.0, 0/0 == 0/0, math.max(0/0, 1) == 1 or "nan first")
