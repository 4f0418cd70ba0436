-- The utf8 library: encoding code points, lengths with invalid bytes,
-- iteration, offsets, the lax mode for code points up to 2^31.
local s = "héllo wörld ✓ 𝄞"
print(#s, utf8.len(s), utf8.len("\xff"), utf8.len(s, 3), utf8.len(s, -4))
print(utf8.char(72, 233, 0x2713, 0x1D11E), utf8.char(), #utf8.char(0x7FFFFFFF))
for p, c in utf8.codes("aé✓𝄞") do io.write(p, ":", c, " ") end print()
print(utf8.codepoint(s, 1, 3), utf8.codepoint(s, -4))
print(utf8.offset(s, 3), utf8.offset(s, -1), utf8.offset(s, 0, 3), utf8.offset(s, 100))
print(pcall(utf8.codepoint, "\xff"))
print(pcall(utf8.offset, s, 1, 3))
print(utf8.len("\xed\xa0\x80"), utf8.len("\xed\xa0\x80", 1, -1, true))
print(utf8.len("\xf4\x90\x80\x80"), utf8.len("\xf4\x90\x80\x80", 1, -1, true))
print(pcall(utf8.codepoint, "\xf4\x90\x80\x80"))
print(utf8.codepoint("\xf4\x90\x80\x80", 1, 1, true))
print(utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
local count = 0
for ch in s:gmatch(utf8.charpattern) do count = count + 1 end
print("chars", count)
print(pcall(function() for p, c in utf8.codes("ab\xffcd") do end end))
print(pcall(utf8.char, -1))
print(#utf8.char(0x7FF), #utf8.char(0x800), #utf8.char(0xFFFF), #utf8.char(0x10000), #utf8.char(0x10FFFF))
local rev = {}
for _, c in utf8.codes("abç✓") do table.insert(rev, 1, utf8.char(c)) end
print(table.concat(rev))
print(("\u{7FFFFFFF}"):byte(1, -1))
print(utf8.len(""), utf8.offset("", 1), utf8.offset("abc", 4), utf8.offset("abc", 5))
