-- Basic string functions: lengths, slices, case, bytes, repetition,
-- comparison and the coercions between strings and numbers.
local s = "Hello, capOS!"
print(#s, s:len(), string.len(""))
print(s:sub(1, 5), s:sub(-5), s:sub(8, -2), s:sub(0), s:sub(100), "[" .. s:sub(5, 3) .. "]")
print(s:upper(), s:lower(), s:reverse())
print(s:byte(1), s:byte(-1), s:byte(1, 3))
print(string.char(72, 105, 0, 33):len(), string.char())
print(("ab"):rep(3), ("ab"):rep(3, "-"), ("x"):rep(0), ("x"):rep(-1) == "")
print("a" < "b", "a" < "B", "abc" < "abd", "" < "a", "Z" < "a", "a\0b" < "a\0c")
print("10" + 1, "3" * "4", 10 .. 20, "0x10" + 0, " 5 " * 2)
print(tostring(12), tostring(12.0), tostring(-0.0), tostring(1e100))
print(tonumber("  42  "), tonumber("4 2"), tonumber(""), tonumber("1e1"), tonumber("0x1p4"))
print(tonumber("ff", 16), tonumber("zz", 36), tonumber("777", 8), tonumber("102", 2))
print(string.format("%q", "line\nnew\0zero\"quote\\"))
local t = {}
for i = 1, 5 do t[#t + 1] = string.char(64 + i) end
print(table.concat(t), table.concat(t, ","), table.concat(t, ",", 2, 4))
print(("%d items"):format(3), ("x"):rep(3):upper())
print(#"\u{48}\u{49}", "\65\066\x43", "a\z
      b", 'single "quoted"', [[long
string]], [==[with ]] inside]==])
